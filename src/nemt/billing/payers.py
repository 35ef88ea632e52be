"""Who pays a claim: the two money paths of Colorado, by county (Payment for Covered Services).

"Services provided in the broker service area are only reimbursable by the State Contracted Broker and cannot be
submitted directly to the Department." / "Reimbursement for services provided outside the state-contracted broker
service area should be submitted directly to the Department." The broker service area is the policy's
``administration.broker_counties`` (the member's county of residence, the same test as who arranges the ride:
:func:`nemt.domain.decisions.arranger.in_broker_counties`). A program without a ``[payers]`` broker (Connecticut)
has the Department's path only.

The path is stored on each claim (``claims.payer``); the 837P writer refuses a claim whose payer differs from the
one the file is addressed to, so a broker-area claim cannot reach the Department.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum

from nemt.billing.x12_835_writer import Party
from nemt.billing.x12_837p import (
    Address,
    BillingProviderInfo,
    ClaimSubmission,
    Payer,
    Receiver,
    Submitter,
    write_837p,
)
from nemt.domain.decisions.arranger import in_broker_counties
from nemt.policy import Policy, PolicyError

__all__ = ["ENCOUNTER_TRANSACTION_TYPE", "PayerPath", "broker_address", "broker_party", "broker_submitter",
           "has_broker_path", "payer_of", "payer_path", "receiver_of", "write_encounter_file"]

# The broker's encounter file to the Department is an 837P with BHT06 = RP ("reporting": the state learns of the trip
# from the broker, it pays nothing on it); CH (chargeable) is the provider's claim. One legal value: no policy key.
ENCOUNTER_TRANSACTION_TYPE = "RP"


class PayerPath(StrEnum):
    """The payer a claim is billed to: the Department (Health First Colorado, 837P to the state) or the State
    Contracted Broker (inside the broker service area)."""

    DEPARTMENT = "department"
    BROKER = "broker"


def has_broker_path(policy: Policy) -> bool:
    return policy.has("payers.broker_payer_id")


def payer_path(county: str, policy: Policy) -> PayerPath:
    """The broker inside the broker service area (when the program has a broker payer), else the Department."""
    if has_broker_path(policy) and in_broker_counties(county, policy):
        return PayerPath.BROKER
    return PayerPath.DEPARTMENT


def payer_of(path: PayerPath | str, policy: Policy) -> Payer:
    """The 837P payer (loop 2010BB, NM1*PR) of a path: the broker's name is ``administration.broker_name``."""
    if PayerPath(path) == PayerPath.BROKER:
        return Payer(str(policy.get("administration.broker_name")).upper(), str(policy.get("payers.broker_payer_id")))
    return Payer(str(policy.get("x12.payer_name")), str(policy.get("x12.payer_id")))


def receiver_of(path: PayerPath | str, policy: Policy) -> Receiver:
    """The 837P receiver (loop 1000B, ISA08, GS03) of a path: the broker receives its own claims."""
    if PayerPath(path) == PayerPath.BROKER:
        return Receiver(str(policy.get("administration.broker_name")).upper(),
                        str(policy.get("payers.broker_receiver_id")))
    return Receiver(str(policy.get("x12.receiver_name")), str(policy.get("x12.receiver_id")))


def broker_address(policy: Policy) -> Address:
    """The broker's address (its 835's loop 1000A N3/N4). :func:`nemt.policy.load_policy` refused a file whose
    address does not parse, so this never raises for a loaded policy."""
    address = Address.parse(str(policy.get("payers.broker_address")))
    if address is None:  # pragma: no cover - checked at load
        raise PolicyError(policy.path, "payers.broker_address", "must be a street, city, state and ZIP")
    return address



def broker_party(policy: Policy) -> Party:
    """The State Contracted Broker as the payer of its 835 (loop 1000A: name, id, address, TRN03 tax id, PER*BL)."""
    payer = payer_of(PayerPath.BROKER, policy)
    return Party(payer.name, payer.id, broker_address(policy), str(policy.get("payers.broker_tax_id")),
                 str(policy.get("payers.broker_contact_phone")))


def broker_submitter(policy: Policy) -> Submitter:
    """The broker as the submitter (loop 1000A) of its encounter file to the Department."""
    broker = broker_party(policy)
    return Submitter(broker.name, broker.id, "CLAIMS OFFICE", broker.contact_phone)


def write_encounter_file(claims: Sequence[ClaimSubmission], *, policy: Policy, billing_provider: BillingProviderInfo,
                         interchange_control_number: int, group_control_number: int, created_at: dt.datetime) -> str:
    """The trips the broker paid one provider for, reported to the Department: an 837P from the broker (loop 1000A)
    to the Department's receiver with BHT06 = RP (:data:`ENCOUNTER_TRANSACTION_TYPE`); the provider is loop 2000A.
    The claims were payable by the broker only; reported, they name the Department's payer (NM1*PR)."""
    return write_837p([replace(claim, payer_id=None) for claim in claims], submitter=broker_submitter(policy),
                      billing_provider=billing_provider, interchange_control_number=interchange_control_number,
                      group_control_number=group_control_number, policy=policy, created_at=created_at,
                      transaction_type=ENCOUNTER_TRANSACTION_TYPE)
