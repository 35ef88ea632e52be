"""Sample acknowledgments of one of our exported 837P batches: the 999 and the 277CA a payer's front end would send.

No payer is reachable from here (issue 17: "the transport is a file drop"), so the tests and the demo need files to
read. They are written by our own writers (:func:`nemt.billing.x12_999.write_999`,
:func:`nemt.billing.x12_277ca.write_277ca`) from the batch's rows, and checked by pyx12 here, as every file we
write is; reading them back goes through :func:`nemt.services.claims.acknowledge.read_acknowledgment` like a real
payer's. ``reject`` names the claims the 277CA rejects (A7: invalid information); ``reject_batch`` makes the 999
reject the whole group at the CLM segment. The interchange and group control numbers of a sample are the batch's
id: they are the payer's numbers, not ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nemt import clock
from nemt.billing.payers import payer_of
from nemt.billing.x12_277ca import ClaimAnswer, write_277ca
from nemt.billing.x12_999 import ElementError, SegmentError, SetResult, write_999
from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.claims.checks import refuse_unless_own_valid
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action

# The sample rejection: CLM (claim information, loop 2300) with an invalid code in CLM05 (element 1331, place of
# service) — a plausible front-end syntax error (IK304 = 8, IK403 = 7).
SAMPLE_SEGMENT_ERROR = SegmentError("0001", "CLM", 15, "2300", "8", (ElementError("5:1", "1331", "7"),))


@dataclass
class SampleAcks:
    batch_id: int
    ack_999: str
    ack_277ca: str | None  # none when the 999 rejects the batch: the claims never reached the front end


def _answers(uow: Any, rows: list[Any], reject: set[str]) -> list[ClaimAnswer]:
    members = uow.claims.members(row.member_id for row in rows)
    out = []
    for row in rows:
        member = members.get(row.member_id)
        last, first = (member.last_name, member.first_name) if member else ("", "")
        rejected = row.claim_number in reject
        out.append(ClaimAnswer(
            row.claim_number, "A7" if rejected else "A2", "21" if rejected else "20", Decimal(row.total_charge),
            min(ln.service_date for ln in row.lines), row.billing_medicaid_id, last, first,
            "" if rejected else f"P{row.id:09d}"))
    return out


def sample_acknowledgments(uow: Any, actor: Actor, batch_id: int, *, reject: Sequence[str] = (),
                           reject_batch: bool = False) -> SampleAcks:
    """The 999 (and, when the batch is accepted, the 277CA) of an exported 837P batch, checked by pyx12."""
    permissions.require(actor, Action.CLAIM_WRITE)
    batch = uow.claims.batch(batch_id)
    rows = uow.claims.visible_in_batch(actor, batch_id) if batch is not None else []
    if batch is None or not rows or batch.format != "837p":
        raise NotFound("no exported 837P batch with that number", field="batch", rule="batches by number")
    unknown = set(reject) - {r.claim_number for r in rows}
    if unknown:
        raise InvalidInput(f"claim {sorted(unknown)[0]} is not in batch {batch_id}", field="reject",
                           rule="a 277CA answers the claims of the batch")
    policy = load_policy(rows[0].program)
    payer = payer_of(rows[0].payer, policy)
    provider = uow.claims.provider(rows[0].provider_id)
    profile = uow.claims.billing_profile(provider.id)
    now = clock.now().astimezone(policy.time_zone)
    ack = write_999(batch.group_control_number, [SetResult("0001", "R", (SAMPLE_SEGMENT_ERROR,))
                                                 if reject_batch else SetResult("0001")],
                    acknowledged_version="005010X222A1", sender=payer.id, receiver=profile.submitter_id,
                    interchange_control_number=batch.id, own_group_control_number=batch.id, created_at=now)
    result = SampleAcks(batch.id, refuse_unless_own_valid(ack, "sample 999"), None)
    if not reject_batch:
        answer = write_277ca(
            _answers(uow, rows, set(reject)), payer_name=payer.name, payer_id=payer.id,
            submitter_name=profile.submitter_name, submitter_id=profile.submitter_id,
            provider_name=provider.organization.name, provider_npi=provider.npi,
            batch_reference=f"{batch.interchange_control_number:09d}", interchange_control_number=batch.id,
            group_control_number=batch.id, created_at=now)
        result.ack_277ca = refuse_unless_own_valid(answer, "sample 277CA")
    audit.record_members(uow, actor, "read", "claim", [r.member_id for r in rows], via="sample-acknowledgments")
    uow.commit()
    return result
