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
from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.billing.broker_adjudication import ClaimToPay, adjudicate, claim_to_pay
from nemt.billing.fees import load_fee_schedule
from nemt.billing.payers import PayerPath, broker_party, has_broker_path, write_encounter_file
from nemt.billing.x12_835_writer import Party, write_835
from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.policy import Policy, load_policy
from nemt.services.claims.checks import refuse_unless_valid, writer_refusals
from nemt.services.claims.common import GS_COUNTER, ISA_COUNTER, provider_for
from nemt.services.claims.export import submissions
from nemt.services.claims.profile import billing_provider
from nemt.services.claims.remittance import RemitResult, post_remittance
from nemt.services.claims.review import edits_in_force
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim, TransportProvider

_SENT = frozenset({ClaimStatus.EXPORTED})
_PAID = frozenset({ClaimStatus.PAID})
_835 = "835 005010X221A1"
_837P = "837P 005010X222A1"


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


def _start(uow: Any, actor: Actor, provider: TransportProvider | str | None) -> tuple[TransportProvider, Policy]:
    permissions.require(actor, Action.CLAIM_ADJUDICATE)
    row = provider_for(uow, actor, provider)
    policy = load_policy(row.organization.program)
    if not has_broker_path(policy):
        raise InvalidInput("this program has no State Contracted Broker paying providers", field="program",
                           rule=policy.cite("payers"))
    return row, policy


def _to_pay(rows: list[Claim], uow: Any, policy: Policy) -> list[ClaimToPay]:
    return [claim_to_pay(value, row.frequency, edits_in_force(row.edits))
            for row, value in zip(rows, submissions(uow, rows, policy), strict=True)]


def _refuse_when_suspended(uow: Any, provider: TransportProvider) -> None:
    """A review case holding the provider's claims suspends its payments, the broker's too (issue 15)."""
    uow.cases.lock_provider(provider.id, shared=True)
    case = uow.cases.held_case(provider.id)
    if case is not None:
        from nemt.services.integrity.cases import suspension_rule  # here: the integrity cases use claims.common

        raise InvalidInput(f"payments to provider {provider.npi} are suspended by review case {case.number}: "
                           "nothing was paid", field="provider", rule=suspension_rule(case.program))


def pay_provider(uow: Any, actor: Actor, provider: TransportProvider | str | None, *,
                 now: dt.datetime | None = None) -> BrokerPayment:
    """The broker pays one provider: its claims sent to the broker, adjudicated, as one 835 posted onto them."""
    row_provider, policy = _start(uow, actor, provider)
    _refuse_when_suspended(uow, row_provider)
    rows = uow.claims.of_provider(row_provider.id, _SENT, payer=PayerPath.BROKER)
    if not rows:
        raise InvalidInput("no claims sent to the broker are waiting for payment", field="provider",
                           rule=policy.cite("payers"))
    now = (now or clock.now()).astimezone(policy.time_zone)
    paid = adjudicate(_to_pay(rows, uow, policy), load_fee_schedule(policy))
    info, _ = billing_provider(uow, row_provider)
    payee = Party(info.name, info.npi, info.address, info.tax_id)
    icn, gcn = uow.control_numbers.next(ISA_COUNTER), uow.control_numbers.next(GS_COUNTER)
    with writer_refusals(_835):
        text = write_835(paid, payer=broker_party(policy), payee=payee, trace_number=f"BRK{icn:09d}",
                         paid_on=now.date(), interchange_control_number=icn, group_control_number=gcn,
                         created_at=now)
    result = post_remittance(uow, actor, text)  # pyx12 checks it; commits the control numbers with the payments
    content = text.encode("ascii")
    return BrokerPayment(row_provider.npi, content, hashlib.sha256(content).hexdigest(), result)


def encounter_file(uow: Any, actor: Actor, provider: TransportProvider | str | None, first: dt.date, last: dt.date,
                   *, now: dt.datetime | None = None) -> EncounterFile:
    """The trips the broker paid the provider for, with a date of service in ``first``..``last``, as the 837P
    encounter file to the Department (BHT06 = RP)."""
    row_provider, policy = _start(uow, actor, provider)
    rows = uow.claims.of_provider(row_provider.id, _PAID, payer=PayerPath.BROKER, served=(first, last))
    if not rows:
        raise InvalidInput("the broker paid no claims of this provider in the period", field="provider",
                           rule=policy.cite("payers"))
    now = (now or clock.now()).astimezone(policy.time_zone)
    info, _ = billing_provider(uow, row_provider)
    icn, gcn = uow.control_numbers.next(ISA_COUNTER), uow.control_numbers.next(GS_COUNTER)
    with writer_refusals(_837P):
        text = write_encounter_file(submissions(uow, rows, policy), policy=policy, billing_provider=info,
                                    interchange_control_number=icn, group_control_number=gcn, created_at=now)
    refuse_unless_valid(text, "837P encounter file", _837P, nothing="nothing was written")
    for row in rows:
        audit.record(uow, actor, "export", "claim", row.member_id, claim_number=row.claim_number, format="encounter")
    uow.commit()
    return EncounterFile(row_provider.npi, [r.claim_number for r in rows], text.encode("ascii"), icn)
