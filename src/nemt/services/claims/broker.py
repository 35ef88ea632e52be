"""The State Contracted Broker's side of the broker service area (Payment for Covered Services): "Providers in the
state-contracted broker service area must be enrolled in the broker's network in order to provide services and
receive payment ... The broker pays enrolled providers directly for NEMT services."

- :func:`pay_provider` — the broker adjudicates the claims a provider sent it (status ``exported``, payer
  ``broker``) with the Department's rules (the fee schedule, the build's denying edits:
  :mod:`nemt.billing.broker_adjudication`), writes the provider's 835 (pyx12-valid) and posts it exactly as a provider
  posts any 835 (:func:`nemt.services.claims.remittance.post_remittance`): one remittance per provider and payment.
- :func:`encounter_file` — the trips the broker paid, reported to the Department as encounters: an 837P with BHT06 =
  ``RP`` from the broker to the Department's receiver, one interchange per provider (loop 2000A is the provider).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from nemt import clock
from nemt.billing.broker_adjudication import ClaimToPay, LineToPay, adjudicate
from nemt.billing.fees import load_fee_schedule
from nemt.billing.payers import PayerPath, has_broker_path, payer_of
from nemt.billing.x12_835_writer import Party, write_835
from nemt.billing.x12_837p import Address, Submitter, X12WriteError, write_837p
from nemt.billing.x12_validate import validate_x12
from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.policy import Policy, load_policy
from nemt.services.claims.common import GS_COUNTER, ISA_COUNTER, provider_for
from nemt.services.claims.export import submission
from nemt.services.claims.profile import billing_provider
from nemt.services.claims.remittance import RemitResult, post_remittance
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim, TransportProvider

_SENT = frozenset({ClaimStatus.EXPORTED})
_PAID = frozenset({ClaimStatus.PAID})


@dataclass
class BrokerPayment:
    provider_npi: str
    content: bytes = field(repr=False)
    sha256: str = ""
    remittance: RemitResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"provider_npi": self.provider_npi, "sha256": self.sha256, "bytes": len(self.content),
                **(self.remittance.as_dict() if self.remittance else {})}


@dataclass
class EncounterFile:
    provider_npi: str
    claim_numbers: list[str]
    content: bytes = field(repr=False)
    interchange_control_number: int = 0


def _rule(policy: Policy) -> str:
    return policy.cite("payers") if policy.has("payers") else "payers"


def _start(uow: Any, actor: Actor, provider: TransportProvider | str | None) -> tuple[TransportProvider, Policy]:
    permissions.require(actor, Action.CLAIM_ADJUDICATE)
    row = provider_for(uow, actor, provider)
    policy = load_policy(row.organization.program)
    if not has_broker_path(policy):
        raise InvalidInput("this program has no State Contracted Broker paying providers", field="program",
                           rule=_rule(policy))
    return row, policy


def _broker_rows(uow: Any, provider: TransportProvider, statuses: frozenset[ClaimStatus]) -> list[Claim]:
    return [r for r in uow.claims.of_provider(provider.id, statuses) if r.payer == PayerPath.BROKER]


def _to_pay(uow: Any, row: Claim, policy: Policy) -> ClaimToPay:
    value = submission(uow, row, policy)
    lines = tuple(LineToPay(ln.hcpcs, tuple(ln.modifiers), ln.units, ln.charge, ln.date_of_service)
                  for ln in value.lines)
    return ClaimToPay(row.claim_number, f"B{row.claim_number}", value.subscriber.member_id,
                      value.subscriber.last_name, value.subscriber.first_name, row.place_of_service, row.frequency,
                      lines, tuple(e.get("code", "") for e in row.edits or ()))


def _broker_party(policy: Policy) -> Party:
    payer = payer_of(PayerPath.BROKER, policy)
    address = Address.parse(policy.get("payers.broker_address"))
    if address is None:  # pragma: no cover - the policy file's own value
        raise InvalidInput("the broker's address in the policy is not a street, city, state and ZIP",
                           field="payers.broker_address", rule="policy")
    return Party(payer.name, payer.id, address, str(policy.get("payers.broker_tax_id")),
                 str(policy.get("payers.broker_contact_phone")))


def _refuse_invalid(uow: Any, text: str, what: str) -> None:
    ok, messages = validate_x12(text)
    if not ok:
        uow.rollback()
        raise InvalidInput(f"pyx12 rejected the {what}; nothing was written: " + "; ".join(messages[:3])[:300],
                           field="claims", rule=f"{what} (pyx12)")


def pay_provider(uow: Any, actor: Actor, provider: TransportProvider | str | None, *,
                 now: dt.datetime | None = None) -> BrokerPayment:
    """The broker pays one provider: its claims sent to the broker, adjudicated, as one 835 posted onto them."""
    row_provider, policy = _start(uow, actor, provider)
    rows = _broker_rows(uow, row_provider, _SENT)
    if not rows:
        raise InvalidInput("no claims sent to the broker are waiting for payment", field="provider",
                           rule=_rule(policy))
    now = (now or clock.now()).astimezone(policy.time_zone)
    paid = adjudicate([_to_pay(uow, row, policy) for row in rows], load_fee_schedule(policy))
    info, _ = billing_provider(uow, row_provider)
    payee = Party(info.name, info.npi, info.address, info.tax_id)
    icn, gcn = uow.control_numbers.next(ISA_COUNTER), uow.control_numbers.next(GS_COUNTER)
    try:
        text = write_835(paid, payer=_broker_party(policy), payee=payee, trace_number=f"BRK{icn:09d}",
                         paid_on=now.date(), interchange_control_number=icn, group_control_number=gcn,
                         created_at=now)
    except X12WriteError as exc:
        uow.rollback()
        raise InvalidInput(str(exc), field="claims", rule="835 005010X221A1") from None
    _refuse_invalid(uow, text, "835 005010X221A1")
    result = post_remittance(uow, actor, text, checked=True)  # commits the control numbers with the payments
    content = text.encode("ascii")
    return BrokerPayment(row_provider.npi, content, hashlib.sha256(content).hexdigest(), result)


def encounter_file(uow: Any, actor: Actor, provider: TransportProvider | str | None, first: dt.date, last: dt.date,
                   *, now: dt.datetime | None = None) -> EncounterFile:
    """The trips the broker paid the provider for, with a date of service in ``first``..``last``, as the 837P
    encounter file to the Department (BHT06 = RP)."""
    row_provider, policy = _start(uow, actor, provider)
    rows = [r for r in _broker_rows(uow, row_provider, _PAID)
            if any(first <= ln.service_date <= last for ln in r.lines)]
    if not rows:
        raise InvalidInput("the broker paid no claims of this provider in the period", field="provider",
                           rule=_rule(policy))
    now = (now or clock.now()).astimezone(policy.time_zone)
    info, _ = billing_provider(uow, row_provider)
    broker = _broker_party(policy)
    submitter = Submitter(broker.name, broker.id, "CLAIMS OFFICE", broker.contact_phone)
    submissions = [replace(submission(uow, row, policy), payer_id=None) for row in rows]
    icn, gcn = uow.control_numbers.next(ISA_COUNTER), uow.control_numbers.next(GS_COUNTER)
    try:
        text = write_837p(submissions, submitter=submitter, billing_provider=info, interchange_control_number=icn,
                          group_control_number=gcn, policy=policy, created_at=now,
                          transaction_type=str(policy.get("payers.encounter_transaction_type")))
    except X12WriteError as exc:
        uow.rollback()
        raise InvalidInput(str(exc), field="claims", rule="837P 005010X222A1") from None
    _refuse_invalid(uow, text, "837P encounter file")
    for row in rows:
        audit.record(uow, actor, "export", "claim", row.member_id, claim_number=row.claim_number, format="encounter")
    uow.commit()
    return EncounterFile(row_provider.npi, [r.claim_number for r in rows], text.encode("ascii"), icn)
