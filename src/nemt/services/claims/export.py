"""Exporting claims: the ``ready`` claims of one provider for one payer as one 837P interchange or one CMS-1500 PDF.

Two money paths (Payment for Covered Services, :mod:`nemt.billing.payers`): a claim of the broker service area is
exported only in the broker's file (addressed to the State Contracted Broker: ISA08, GS03, loops 1000B and 2010BB);
asking to send one to the Department is refused, and the 837P writer refuses any claim of another payer as well.

The 837P gets never-repeating interchange and group control numbers (``control_numbers``) and is validated by pyx12
before it is written; the claims become ``exported`` with their batch. Replacement (frequency 7) and void (8) claims
carry the original's payer claim number (CLP07 of the 835), else our original claim number, in REF*F8. A claim is
exported once: the claims are taken (their status changed only where still ready) before anything is written.

A provider whose claims a review case holds (a payment suspension, :mod:`nemt.services.integrity.cases`) is skipped,
and the export says so — how many claims and why; its held claims are exported by no path (API, page, command).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from nemt import clock
from nemt.billing import claim_rules
from nemt.billing.payers import PayerPath, payer_of, receiver_of
from nemt.billing.x12_837p import BillingProviderInfo, ClaimSubmission, Submitter, submissions_from_claims, write_837p
from nemt.domain.actors import Actor
from nemt.domain.statuses import EXPORTABLE_CLAIM_STATUSES, ClaimStatus
from nemt.policy import Policy, load_policy
from nemt.services.claims.checks import refuse_unless_valid, writer_refusals
from nemt.services.claims.common import GS_COUNTER, ISA_COUNTER, is_provider_admin, provider_for
from nemt.services.claims.profile import billing_provider
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.claim_models import BillingProfile
from nemt.store.models import Claim, ClaimBatch, TransportProvider

FORMATS = ("837p", "cms1500")
_READY_ONLY = "only ready claims are exported"
_837P = "837P 005010X222A1"


@dataclass
class ExportResult:
    batch_id: int
    format: str
    claim_numbers: list[str]
    sha256: str
    content: bytes = field(repr=False)
    interchange_control_number: int | None = None
    group_control_number: int | None = None
    path: str | None = None
    payer: str = PayerPath.DEPARTMENT
    held: list[dict[str, Any]] = field(default_factory=list)  # providers skipped: a review case holds their claims

    def as_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "format": self.format, "payer": self.payer, "claims": self.claim_numbers,
                "held": self.held,
                "sha256": self.sha256, "interchange_control_number": self.interchange_control_number,
                "group_control_number": self.group_control_number, "path": self.path, "bytes": len(self.content)}


def _frequency_name(code: str, policy: Policy) -> str:
    return {policy.get("claims.frequency_original"): "original",
            policy.get("claims.frequency_replacement"): "replacement",
            policy.get("claims.frequency_void"): "void"}[code]


def _submission_line(claim: Claim, ln: Any, leg: Any) -> claim_rules.ClaimLine:
    if ln.charge == "":
        raise InvalidInput(f"claim {claim.claim_number} line {ln.line_number} has no charge",
                           field="charge", rule="Rate and Fee Schedule")
    return claim_rules.ClaimLine(
        hcpcs=ln.hcpcs, modifiers=tuple(ln.modifiers or ()), units=ln.units, date_of_service=ln.service_date,
        place_of_service=claim.place_of_service, rendering_provider_npi=ln.rendering_npi,
        ref=leg.key if leg else str(ln.id), pickup_address=leg.origin_address if leg else None,
        dropoff_address=leg.destination_address if leg else None, charge=Decimal(ln.charge))


def _submission(claim: Claim, member: Any, legs: dict[int, Any], policy: Policy) -> ClaimSubmission:
    lines = [_submission_line(claim, ln, legs.get(ln.leg_id) if ln.leg_id is not None else None)
             for ln in claim.lines]
    own_id = member is not None and member.medicaid_id == claim.billing_medicaid_id
    value = claim_rules.Claim(
        member_id=claim.billing_medicaid_id, place_of_service=claim.place_of_service, diagnosis=claim.diagnosis,
        lines=tuple(lines), member_name=f"{member.first_name} {member.last_name}" if own_id else "",
        member_birth_date=member.birth_date if own_id else None, member_sex=member.sex or "U" if own_id else "U")
    frequency = _frequency_name(claim.frequency, policy)
    (one,) = submissions_from_claims(
        [value], claim_number_prefix="", frequency=frequency,
        original_claim_numbers=[claim.original_claim_number] if frequency != "original" else None)
    return replace(one, claim_number=claim.claim_number, payer_id=payer_of(claim.payer, policy).id)


def submissions(uow: Any, claims: Sequence[Claim], policy: Policy) -> list[ClaimSubmission]:
    """Stored claims as the 837P/CMS-1500 values, with their legs' pick-up and drop-off addresses (the members and
    legs of all the claims read in one query each)."""
    members = uow.claims.members(c.member_id for c in claims)
    legs = uow.claims.legs(ln.leg_id for c in claims for ln in c.lines)
    return [_submission(c, members.get(c.member_id), legs, policy) for c in claims]


def _write_atomically(path: Path, content: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return path


def _only_provider(uow: Any, actor: Actor) -> tuple[TransportProvider, list[dict[str, Any]]]:
    """The one provider with ready claims the actor may see (the system and administrators may omit it), leaving
    out those whose claims a review case holds (said in the result: how many claims, and why)."""
    ids = uow.claims.providers_with_claims(actor, EXPORTABLE_CLAIM_STATUSES)
    held = uow.cases.held_providers(ids)
    skipped = [_held_notice(uow, uow.claims.provider(i)) for i in sorted(held)]
    ids -= set(held)
    if not ids and skipped:
        raise InvalidInput("; ".join(n["message"] for n in skipped), field="provider", rule=skipped[0]["rule"])
    if len(ids) > 1:
        raise InvalidInput("ready claims of several providers: name one (--provider NPI)", field="provider",
                           rule="one billing provider per 837P interchange")
    provider = uow.claims.provider(ids.pop()) if ids else None
    if provider is None:
        raise InvalidInput("no claims are ready to export", field="status", rule=_READY_ONLY)
    return provider, skipped


def _held_notice(uow: Any, provider: TransportProvider, claims: int | None = None) -> dict[str, Any]:
    """What the export says of a provider whose claims a review case holds (a payment suspension)."""
    from nemt.services.integrity.cases import export_hold  # imported here: the integrity cases use claims.common

    notice = export_hold(uow, provider, claims)
    return notice.as_dict() if notice is not None else {}


def _refuse_when_held(uow: Any, provider: TransportProvider, taken: int | None = None) -> None:
    """Refuse the export when a review case holds the provider's claims: before the claims are taken (so it is said
    whatever they are), and again after (``taken``: how many; SQLite: under the write lock; PostgreSQL: the provider
    locked), so a hold committed in between is always seen."""
    if uow.cases.held_case(provider.id) is None:
        return
    notice = _held_notice(uow, provider, taken)
    uow.rollback()
    raise InvalidInput(notice["message"], field="provider", rule=notice["rule"])


_PAYER_NAMES = {PayerPath.DEPARTMENT: "the Department", PayerPath.BROKER: "the State Contracted Broker"}


def _payer_path(rows: list[Claim], payer: str | None, named: bool, policy: Policy) -> PayerPath:
    """The payer of this export: the one asked for, else the only one the ready claims have. Named claims of
    another payer are refused: a broker-area claim "cannot be submitted directly to the Department"."""
    rule = policy.cite("payers")
    paths = {PayerPath(r.payer) for r in rows}
    if payer is None:
        if len(paths) > 1:
            raise InvalidInput("there are ready claims for the Department and for the State Contracted Broker: "
                               "export each payer's claims separately (payer)", field="payer", rule=rule)
        return paths.pop()
    try:
        path = PayerPath(payer)
    except ValueError:
        raise InvalidInput(f"payer must be one of {', '.join(PayerPath)}", field="payer", rule=rule) from None
    other = [r for r in rows if r.payer != path]
    if named and other:
        raise InvalidInput(f"claim {other[0].claim_number} is billed to {_PAYER_NAMES[PayerPath(other[0].payer)]} "
                           f"and cannot be submitted to {_PAYER_NAMES[path]}", field="claim_numbers", rule=rule)
    if path not in paths:
        raise InvalidInput(f"no claims are ready to export to {_PAYER_NAMES[path]}", field="payer", rule=rule)
    return path


def _take(uow: Any, provider: TransportProvider, claim_numbers: Sequence[str] | None, payer: str | None,
          policy: Policy) -> tuple[list[Claim], PayerPath]:
    """The claims to export (one payer's), taken: a second exporter at the same time takes none of them and gets a
    conflict."""
    rows = uow.claims.of_provider(provider.id, EXPORTABLE_CLAIM_STATUSES, claim_numbers)
    if claim_numbers and len(rows) != len(set(claim_numbers)):
        raise InvalidInput("some of the claims are not ready to export (or not this provider's)",
                           field="claim_numbers", rule=_READY_ONLY)
    if not rows:
        raise InvalidInput("no claims are ready to export", field="status", rule=_READY_ONLY)
    path = _payer_path(rows, payer, bool(claim_numbers), policy)
    rows = [r for r in rows if r.payer == path]
    if uow.claims.take([r.id for r in rows], EXPORTABLE_CLAIM_STATUSES, ClaimStatus.EXPORTED) != len(rows):
        uow.rollback()
        raise Conflict("another export took some of these claims; run the export again", field="status",
                       rule="a claim is exported once")
    return rows, path


def _837p(uow: Any, submissions: list[ClaimSubmission], info: BillingProviderInfo, profile: BillingProfile,
          policy: Policy, now: dt.datetime, path: PayerPath) -> tuple[bytes, int, int]:
    """The 837P interchange to the path's payer with new control numbers, validated by pyx12; nothing is kept when
    it fails."""
    icn = uow.control_numbers.next(ISA_COUNTER)
    gcn = uow.control_numbers.next(GS_COUNTER)
    with writer_refusals(_837P):
        text = write_837p(submissions, submitter=Submitter(profile.submitter_name, profile.submitter_id,
                                                           profile.contact_name, profile.phone),
                          billing_provider=info, interchange_control_number=icn, group_control_number=gcn,
                          policy=policy, created_at=now, payer=payer_of(path, policy),
                          receiver=receiver_of(path, policy))
    refuse_unless_valid(text, "837P", _837P, nothing="nothing was written")
    return text.encode("ascii"), icn, gcn


def _content(uow: Any, fmt: str, rows: list[Claim], provider: TransportProvider, policy: Policy,
             now: dt.datetime, path: PayerPath) -> tuple[bytes, int | None, int | None]:
    info, profile = billing_provider(uow, provider)
    values = submissions(uow, rows, policy)
    if fmt == "837p":
        return _837p(uow, values, info, profile, policy, now, path)
    from nemt.billing.cms1500 import render_cms1500

    content = render_cms1500(values, info, policy, signed_on=now.date(), signer=profile.contact_name,
                             billing_phone=profile.phone, payer_name=payer_of(path, policy).name)
    return content, None, None


def _commit(uow: Any, content: bytes, out: str | Path | None) -> Path | None:
    """Write the file (atomically), then commit; a failed commit takes the file away again."""
    written = _write_atomically(Path(out), content) if out is not None else None
    try:
        uow.commit()
    except Exception:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return written


def export_claims(uow: Any, actor: Actor, *, fmt: str = "837p", provider: TransportProvider | str | None = None,
                  out: str | Path | None = None, claim_numbers: Sequence[str] | None = None,
                  now: dt.datetime | None = None, payer: str | None = None) -> ExportResult:
    """Export the provider's ``ready`` claims (or the listed ones) of one payer (``payer``: ``department`` or
    ``broker``; default the only one the ready claims have) as one 837P interchange or one CMS-1500 PDF.

    837P: interchange and group control numbers come from never-repeating counters; the text is validated by pyx12
    (and the writer's own edits) before anything is written. The file is written to ``out`` (atomically) before the
    claims are committed as ``exported`` with their batch; a failure leaves no file and no change."""
    permissions.require(actor, Action.CLAIM_WRITE)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format", rule="export formats")
    held: list[dict[str, Any]] = []
    if provider is None and not is_provider_admin(actor):
        provider, held = _only_provider(uow, actor)
    row_provider = provider_for(uow, actor, provider)
    policy = load_policy(row_provider.organization.program)
    uow.cases.lock_provider(row_provider.id, shared=True)  # a hold of this provider waits for the export
    _refuse_when_held(uow, row_provider)  # said first, whatever the claims are
    rows, path = _take(uow, row_provider, claim_numbers, payer, policy)
    _refuse_when_held(uow, row_provider, len(rows))  # a hold committed while the claims were taken
    now = now or clock.now().astimezone(policy.time_zone)
    content, icn, gcn = _content(uow, fmt, rows, row_provider, policy, now, path)
    digest = hashlib.sha256(content).hexdigest()
    batch = uow.claims.add_batch(ClaimBatch(format=fmt, interchange_control_number=icn, group_control_number=gcn,
                                            sha256=digest, claims=len(rows)), [r.id for r in rows])
    for row in rows:
        audit.record(uow, actor, "export", "claim", row.member_id, claim_number=row.claim_number, format=fmt,
                     batch=batch.id, payer=path)
    written = _commit(uow, content, out)
    for row in rows:
        uow.claims.expire(row)
    return ExportResult(batch.id, fmt, [r.claim_number for r in rows], digest, content, icn, gcn,
                        str(written) if written else None, path, held)
