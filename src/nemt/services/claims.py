"""Claims on the database: build from completed legs' trip logs, export (837P, CMS-1500), replace, void, post
835 remittances, list denials.

The rules are :mod:`nemt.billing`'s (``build_claims``, the fee schedule, the 837P writer, pyx12, the CMS-1500
renderer, the 835 parser); this module reads and writes the rows around them.

- **Once per leg.** A leg is billed in one original claim only: ``billed_legs.leg_id`` is a primary key. Each
  claim is written in its own transaction together with its legs' ``billed_legs`` rows; when another builder got
  there first (same legs, another process) the insert fails, the claim is rolled back and skipped.
- **Same-day context.** The claims of a build are computed from *all* completed legs of the provider on the dates
  (billed or not), so repeat modifiers (76/77) and shared rides come out as ``nemt bill`` gives them for the whole
  day; only the lines of legs not billed yet are written.
- **Edits** are stored on the claim of the leg they are about. A claim flagged by the 52-unit review
  (``mileage_review``), past the timely-filing limit (``timely_filing.days``) or with a line the fee schedule does
  not price gets status ``review``; the others ``ready``.
- **Exports** take the ``ready`` claims of one provider. The 837P gets never-repeating interchange and group
  control numbers (``control_numbers``) and is validated by pyx12 before it is written; the claims become
  ``exported`` with their batch. Replacement (frequency 7) and void (8) claims carry the original's payer claim
  number (CLP07 of the 835), else our original claim number, in REF*F8.
- **Remittances** are posted by claim number; the same file twice changes nothing (``remittances.sha256``); a
  malformed file is rejected whole, naming the segment.

Member data never goes into messages: claims are named by claim number, legs by opaque key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from nemt import clock
from nemt.billing import claim_rules
from nemt.billing.claim_rules import Edit, build_claims, timely_filing_deadline
from nemt.billing.fees import FeeScheduleError, load_fee_schedule, price_claims
from nemt.billing.trip_log import TripLogLeg
from nemt.billing.x12_835 import RemittanceError, parse_835
from nemt.billing.x12_837p import (
    MAX_LINES_PER_CLAIM,
    Address,
    BillingProviderInfo,
    ClaimSubmission,
    Submitter,
    X12WriteError,
    submissions_from_claims,
    write_837p,
)
from nemt.billing.x12_validate import validate_x12
from nemt.domain.actors import Actor, Role
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.services.trip_log import assignment, billing_leg, load_logs
from nemt.store.claim_models import BillingProfile
from nemt.store.models import (
    BilledLeg,
    Claim,
    ClaimBatch,
    ClaimLine,
    Leg,
    Member,
    Organization,
    Remittance,
    TransportProvider,
    Trip,
)

__all__ = [
    "READ_ROLES",
    "REVIEW_EDITS",
    "WRITE_ROLES",
    "BuildResult",
    "ExportResult",
    "RemitResult",
    "build_claims_for_provider",
    "claim_view",
    "denied_claims",
    "export_claims",
    "get_claim",
    "list_claims",
    "post_remittance",
    "replace_claim",
    "set_billing_profile",
    "void_claim",
]

WRITE_ROLES = {Role.PROVIDER_ADMIN, Role.ADMIN}
READ_ROLES = {Role.PROVIDER_ADMIN, Role.AUDITOR, Role.ADMIN}
# Edits that hold a claim for review instead of sending it.
REVIEW_EDITS = frozenset({
    "mileage-over-52-units-needs-attachment", "attachment-missing-denied", "attachment-insufficient-denied",
    "timely-filing-limit-passed", "no-fee-schedule-rate",
})
CLAIM_NUMBER_COUNTER = "claim-number"
ISA_COUNTER = "x12-interchange"
GS_COUNTER = "x12-group"
EXPORTABLE = ("ready",)
RESUBMITTABLE = ("exported", "paid", "denied")
FORMATS = ("837p", "cms1500")


# ----------------------------------------------------------------------------------------------------------------
# Access
# ----------------------------------------------------------------------------------------------------------------
def _require(actor: Actor, allowed: set) -> None:
    if actor.user_id is None:  # the system (CLI)
        return
    if actor.role not in {str(r) for r in allowed}:
        raise Forbidden(f"the role {actor.role!r} may not do this", rule="role-based access")


def _provider(uow, actor: Actor, provider: TransportProvider | str | None) -> TransportProvider:
    """The provider a claims action is about: a provider admin's own (``provider`` may be omitted), else the one
    named by NPI; program-checked."""
    if isinstance(provider, TransportProvider):
        row = provider
    elif provider:
        row = uow.session.scalar(select(TransportProvider).where(TransportProvider.npi == str(provider)))
        if row is None:
            raise NotFound("no transportation provider with that NPI", field="provider", rule="providers by NPI")
    elif actor.user_id is not None and actor.role == Role.PROVIDER_ADMIN:
        row = uow.session.scalar(select(TransportProvider)
                                 .where(TransportProvider.organization_id == actor.organization_id))
        if row is None:
            raise NotFound("your organization has no provider enrolment", field="provider", rule="enrolment")
    else:
        raise InvalidInput("name the provider by NPI", field="provider", rule="claims are per billing provider")
    if actor.user_id is not None:
        if actor.role == Role.PROVIDER_ADMIN and row.organization_id != actor.organization_id:
            raise Forbidden("not your organization's provider", field="provider",
                            rule="provider admins bill for their organization only")
        if not actor.sees_program(row.organization.program):
            raise NotFound("no transportation provider with that NPI", field="provider", rule="program-based access")
    return row


def _claims_scope(query, actor: Actor):
    if actor.user_id is None:
        return query
    if actor.role == Role.PROVIDER_ADMIN:
        return query.join(TransportProvider, TransportProvider.id == Claim.provider_id).where(
            TransportProvider.organization_id == actor.organization_id)
    if actor.program is not None:
        return query.join(TransportProvider, TransportProvider.id == Claim.provider_id).join(
            Organization, Organization.id == TransportProvider.organization_id).where(
            Organization.program == actor.program)
    return query


def _claim(uow, actor: Actor, claim_number: str, *, lock: bool = False) -> Claim:
    query = _claims_scope(select(Claim).where(Claim.claim_number == claim_number), actor)
    if lock and uow.session.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Claim)
    row = uow.session.scalar(query.options(selectinload(Claim.lines)))
    if row is None:
        raise NotFound("no such claim", field="claim_number", rule="claims by claim number")
    return row


# ----------------------------------------------------------------------------------------------------------------
# Views
# ----------------------------------------------------------------------------------------------------------------
def claim_view(uow, claim: Claim) -> dict[str, Any]:
    """A claim as the API and pages show it (the billing ID is there for the billing office; never in URLs)."""
    leg_keys = dict(uow.session.execute(select(Leg.id, Leg.key).where(
        Leg.id.in_([ln.leg_id for ln in claim.lines if ln.leg_id is not None]))).all()) if claim.lines else {}
    member_key = uow.session.scalar(select(Member.key).where(Member.id == claim.member_id))
    provider_npi = uow.session.scalar(select(TransportProvider.npi).where(TransportProvider.id == claim.provider_id))
    return {
        "claim_number": claim.claim_number, "key": claim.key, "status": claim.status, "program": claim.program,
        "frequency": claim.frequency, "original_claim_number": claim.original_claim_number,
        "payer_claim_number": claim.payer_claim_number, "provider_npi": provider_npi, "member_key": member_key,
        "billing_medicaid_id": claim.billing_medicaid_id, "place_of_service": claim.place_of_service,
        "diagnosis": claim.diagnosis, "total_charge": claim.total_charge, "paid_amount": claim.paid_amount,
        "edits": list(claim.edits or []), "adjudication": claim.adjudication or {}, "batch_id": claim.batch_id,
        "created_at": claim.created_at.isoformat() if claim.created_at else None,
        "lines": [{
            "line_number": ln.line_number, "hcpcs": ln.hcpcs, "modifiers": list(ln.modifiers or []),
            "units": ln.units, "charge": ln.charge, "service_date": ln.service_date.isoformat(),
            "rendering_npi": ln.rendering_npi, "leg_key": leg_keys.get(ln.leg_id),
            "adjudication": ln.adjudication or {},
        } for ln in claim.lines],
    }


@dataclass
class BuildResult:
    provider_npi: str
    first_date: dt.date
    last_date: dt.date
    legs_considered: int = 0
    claims: list[dict[str, Any]] = field(default_factory=list)  # claim_number, status, total_charge, lines, edits
    legs_already_billed: int = 0
    legs_taken_by_other_builder: list[str] = field(default_factory=list)  # leg keys
    edits: list[dict[str, Any]] = field(default_factory=list)  # edits of legs that are on no claim

    def as_dict(self) -> dict[str, Any]:
        return {"provider_npi": self.provider_npi, "from": self.first_date.isoformat(),
                "to": self.last_date.isoformat(), "legs_considered": self.legs_considered,
                "legs_already_billed": self.legs_already_billed, "claims": self.claims,
                "legs_taken_by_other_builder": self.legs_taken_by_other_builder, "edits": self.edits}


def _edit_dict(edit: Edit) -> dict[str, str]:
    return {"code": edit.code, "ref": edit.ref, "message": edit.message, "citation": edit.citation}


# ----------------------------------------------------------------------------------------------------------------
# Legs -> billing values
# ----------------------------------------------------------------------------------------------------------------
def _billing_legs(uow, provider: TransportProvider, first: dt.date, last: dt.date, policy: Policy,
                  leg_ids: Sequence[int] | None = None) -> list[tuple[Leg, TripLogLeg]]:
    """The provider's completed legs on the dates, as billing values, in trip-log order (date, actual pick-up,
    recording order)."""
    query = (select(Leg).join(Trip, Trip.id == Leg.trip_id)
             .where(Leg.provider_id == provider.id, Leg.service_date >= first, Leg.service_date <= last,
                    Leg.status == "completed")
             .options(selectinload(Leg.trip).selectinload(Trip.member)))
    if leg_ids is not None:
        query = query.where(Leg.id.in_(list(leg_ids)))
    legs = list(uow.session.scalars(query))
    logs = load_logs(uow.session, [leg.id for leg in legs])
    out = []
    for leg in legs:
        vehicle, driver = assignment(uow.session, leg)
        out.append((leg, billing_leg(leg, leg.trip, logs[leg.id], member=leg.trip.member, vehicle=vehicle,
                                     driver=driver, rendering_npi=provider.npi, policy=policy)))
    out.sort(key=lambda pair: (pair[1].date_of_service, pair[1].pickup.time is None,
                               pair[1].pickup.time or dt.time(), pair[0].id))
    return out


def _price(claims, policy: Policy):
    try:
        schedule = load_fee_schedule(policy)
    except FeeScheduleError as exc:
        raise InvalidInput(str(exc), field="fee_schedule.file", rule=policy.cite("fee_schedule")) from None
    return price_claims(claims, schedule, strict=False)


def _derive(uow, provider: TransportProvider, first: dt.date, last: dt.date, policy: Policy, today: dt.date):
    """Claims (priced) and edits of all completed legs of the provider on the dates, plus the leg of each key,
    the shared-ride followers of each leader and the timely-filing edits."""
    pairs = _billing_legs(uow, provider, first, last, policy)
    batch = build_claims([tl for _, tl in pairs], (), policy)
    priced = _price(batch.claims, policy)
    leg_of = {tl.leg_id: leg for leg, tl in pairs}
    edits: dict[str, list[Edit]] = defaultdict(list)
    for edit in batch.edits:
        edits[edit.ref].append(edit)
    # Shared rides: the followers of a group ride on its leader's claim (Exclusions, last paragraph).
    groups: dict[tuple, list[str]] = defaultdict(list)
    for _, tl in pairs:
        if tl.shared_ride_group and claim_rules.leg_exclusion(tl, policy) is None:
            groups[(tl.shared_ride_group, tl.date_of_service)].append(tl.leg_id)
    followers: dict[str, list[str]] = {members[0]: members[1:] for members in groups.values()}
    for leg_key, leg in leg_of.items():
        deadline = timely_filing_deadline(leg.service_date, policy)
        if today > deadline:
            edits[leg_key].append(Edit(
                "timely-filing-limit-passed", leg_key,
                f"filed after the timely-filing limit of {policy.get('timely_filing.days')} days from the date of "
                f"service (last day {deadline.isoformat()})", policy.cite("timely_filing")))
    return priced, leg_of, edits, followers


def _status_of(edits: Iterable[dict[str, Any]]) -> str:
    return "review" if any(e["code"] in REVIEW_EDITS for e in edits) else "ready"


def _line_rows(lines, leg_ids: Mapping[str, int]) -> tuple[list[ClaimLine], list[dict[str, Any]], Decimal]:
    rows, extra_edits, total = [], [], Decimal("0.00")
    for n, line in enumerate(lines, start=1):
        if line.charge is None:
            extra_edits.append({"code": "no-fee-schedule-rate", "ref": line.ref,
                                "message": f"the fee schedule has no rate for {line.hcpcs} on "
                                           f"{line.date_of_service.isoformat()}", "citation": "Rate and Fee Schedule"})
        else:
            total += line.charge
        rows.append(ClaimLine(
            line_number=n, leg_id=leg_ids.get(line.ref), hcpcs=line.hcpcs,
            modifiers=list(line.modifiers), units=line.units,
            charge=str(line.charge) if line.charge is not None else "", service_date=line.date_of_service,
            rendering_npi=line.rendering_provider_npi, adjudication={}))
    return rows, extra_edits, total


def _next_claim_number(uow) -> str:
    return f"CL{uow.control_numbers.next(CLAIM_NUMBER_COUNTER):010d}"


# ----------------------------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------------------------
def build_claims_for_provider(uow, actor: Actor, provider: TransportProvider | str | None,
                              service_dates: tuple[dt.date, dt.date], *, today: dt.date | None = None
                              ) -> BuildResult:
    """Build, price and store the claims of the provider's completed, not yet billed legs whose date of service is
    in ``service_dates`` (first, last — inclusive). Each claim is committed in its own transaction with its legs'
    ``billed_legs`` rows; a claim whose legs another builder billed meanwhile is skipped. ``today`` (default: the
    program's today) is the filing date the timely-filing limit is measured to. Safe to run twice or in parallel."""
    _require(actor, WRITE_ROLES)
    first, last = service_dates
    if first > last:
        raise InvalidInput("the first date is after the last", field="from", rule="date range")
    provider = _provider(uow, actor, provider)
    program = provider.organization.program
    policy = load_policy(program)
    today = today or clock.today(policy.time_zone)
    priced, leg_of, edits, followers = _derive(uow, provider, first, last, policy, today)
    # Plain values from here on: each claim below is its own transaction, and a rollback expires the rows.
    leg_ids = {key: leg.id for key, leg in leg_of.items()}
    member_of = {key: leg.trip.member_id for key, leg in leg_of.items()}
    provider_id, provider_npi = provider.id, provider.npi
    billed = set(uow.session.scalars(select(BilledLeg.leg_id).where(
        BilledLeg.leg_id.in_(list(leg_ids.values()))))) if leg_ids else set()
    result = BuildResult(provider_npi, first, last, legs_considered=len(leg_ids),
                         legs_already_billed=sum(1 for i in leg_ids.values() if i in billed))
    on_claims: set[str] = set()

    for claim in priced:
        new_lines = [ln for ln in claim.lines if ln.ref in leg_ids and leg_ids[ln.ref] not in billed]
        for start in range(0, len(new_lines), MAX_LINES_PER_CLAIM):
            chunk = new_lines[start:start + MAX_LINES_PER_CLAIM]
            refs = list(dict.fromkeys(ln.ref for ln in chunk))
            refs += [f for r in refs for f in followers.get(r, ()) if leg_ids[f] not in billed]
            on_claims.update(refs)
            claim_edits = [_edit_dict(e) for r in refs for e in edits.get(r, ())]
            line_rows, extra, total = _line_rows(chunk, leg_ids)
            claim_edits += extra
            status = _status_of(claim_edits)
            try:
                row = Claim(
                    claim_number=_next_claim_number(uow), program=program, provider_id=provider_id,
                    member_id=member_of[refs[0]], billing_medicaid_id=claim.member_id,
                    place_of_service=claim.place_of_service, diagnosis=claim.diagnosis,
                    frequency=policy.get("claims.frequency_original"), status=status, total_charge=str(total),
                    edits=claim_edits, adjudication={}, lines=line_rows)
                uow.session.add(row)
                uow.session.flush()
                uow.session.add_all([BilledLeg(leg_id=leg_ids[r], claim_id=row.id) for r in refs])
                uow.session.flush()
                audit.record(uow, actor, "create", "claim", row.member_id, claim_number=row.claim_number,
                             lines=len(line_rows), status=status)
                uow.commit()
            except IntegrityError:
                uow.rollback()  # another builder billed these legs first
                result.legs_taken_by_other_builder.extend(refs)
                continue
            result.claims.append({"claim_number": row.claim_number, "status": status, "total_charge": str(total),
                                  "lines": len(line_rows), "edits": [e["code"] for e in claim_edits]})
    for key, leg_id in leg_ids.items():
        if key not in on_claims and leg_id not in billed:
            result.edits.extend(_edit_dict(e) for e in edits.get(key, ()))
    return result


# ----------------------------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------------------------
def list_claims(uow, actor: Actor, *, status: str | None = None, provider: str | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Claims the actor may see (provider admin: the organization's; auditor, admin: the program's), newest
    first."""
    _require(actor, READ_ROLES)
    query = _claims_scope(select(Claim), actor).options(selectinload(Claim.lines))
    if status:
        query = query.where(Claim.status == status)
    if provider:
        query = query.where(Claim.provider_id == _provider(uow, actor, provider).id)
    rows = list(uow.session.scalars(query.order_by(Claim.id.desc()).limit(min(limit, 5000))))
    audit.record(uow, actor, "read", "claim", None, rows=len(rows), status=status or "")
    uow.commit()
    return [claim_view(uow, row) for row in rows]


def get_claim(uow, actor: Actor, claim_number: str) -> dict[str, Any]:
    _require(actor, READ_ROLES)
    row = _claim(uow, actor, claim_number)
    audit.record(uow, actor, "read", "claim", row.member_id, claim_number=row.claim_number)
    uow.commit()
    return claim_view(uow, row)


def denied_claims(uow, actor: Actor) -> list[dict[str, Any]]:
    """Denied claims with the payer's reason codes (CARC, with group code) for rework."""
    _require(actor, READ_ROLES)
    rows = list(uow.session.scalars(_claims_scope(select(Claim).where(Claim.status == "denied"), actor)
                                    .options(selectinload(Claim.lines)).order_by(Claim.id)))
    out = []
    for row in rows:
        adjudication = row.adjudication or {}
        reasons = list(adjudication.get("adjustments", []))
        for line in row.lines:
            reasons += [dict(a, line_number=line.line_number) for a in (line.adjudication or {}).get("adjustments", [])]
        out.append({"claim_number": row.claim_number, "key": row.key, "total_charge": row.total_charge,
                    "payer_claim_number": row.payer_claim_number, "reasons": reasons,
                    "reason_codes": sorted({f"{r['group']}-{r['reason']}" for r in reasons}),
                    "remittance_trace": adjudication.get("trace_number", "")})
        audit.record(uow, actor, "read", "claim", row.member_id, claim_number=row.claim_number, view="denied")
    uow.commit()
    return out


# ----------------------------------------------------------------------------------------------------------------
# Billing profile
# ----------------------------------------------------------------------------------------------------------------
def set_billing_profile(uow, actor: Actor, provider: TransportProvider | str | None, *, address_line: str,
                        city: str, state: str, zip: str, tax_id: str, submitter_id: str, submitter_name: str,
                        contact_name: str, phone: str = "", taxonomy: str = "343900000X") -> BillingProfile:
    """Create or change the provider's billing profile (837P loop 2010AA and 1000A; CMS 1500 fields 25, 33)."""
    _require(actor, WRITE_ROLES)
    row_provider = _provider(uow, actor, provider)
    if not re.fullmatch(r"[0-9]{9}", tax_id or ""):
        raise InvalidInput("the tax ID (EIN) is nine digits", field="tax_id", rule="837P REF*EI")
    if not re.fullmatch(r"[0-9]{5}([0-9]{4})?", zip or ""):
        raise InvalidInput("the ZIP code is five or nine digits", field="zip", rule="837P N4")
    if not re.fullmatch(r"[A-Z]{2}", state or ""):
        raise InvalidInput("the state is two capital letters", field="state", rule="837P N4")
    if not re.fullmatch(r"[0-9]{9}[0-9X]", taxonomy or ""):
        raise InvalidInput("a taxonomy code is ten characters", field="taxonomy", rule="837P PRV")
    for name, value in (("address_line", address_line), ("city", city), ("submitter_id", submitter_id),
                        ("submitter_name", submitter_name), ("contact_name", contact_name)):
        if not (value or "").strip():
            raise InvalidInput(f"{name} is required", field=name, rule="837P billing provider and submitter")
    profile = uow.session.scalar(select(BillingProfile).where(BillingProfile.provider_id == row_provider.id))
    if profile is None:
        profile = BillingProfile(provider_id=row_provider.id)
        uow.session.add(profile)
    profile.address_line, profile.city, profile.state, profile.zip = address_line, city, state, zip
    profile.tax_id, profile.phone, profile.taxonomy = tax_id, phone, taxonomy
    profile.submitter_id, profile.submitter_name, profile.contact_name = submitter_id, submitter_name, contact_name
    audit.record(uow, actor, "update", "billing-profile", None, provider=row_provider.npi)
    uow.commit()
    return profile


def _billing_provider(uow, provider: TransportProvider) -> tuple[BillingProviderInfo, BillingProfile]:
    profile = uow.session.scalar(select(BillingProfile).where(BillingProfile.provider_id == provider.id))
    if profile is None:
        raise InvalidInput("the provider has no billing profile (address, tax ID, submitter): set it first "
                           "(`nemt claims profile`)", field="billing_profile", rule="837P loop 2010AA")
    info = BillingProviderInfo(provider.organization.name, provider.npi, profile.taxonomy,
                               Address(profile.address_line, profile.city, profile.state, profile.zip), profile.tax_id)
    return info, profile


# ----------------------------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------------------------
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

    def as_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "format": self.format, "claims": self.claim_numbers,
                "sha256": self.sha256, "interchange_control_number": self.interchange_control_number,
                "group_control_number": self.group_control_number, "path": self.path, "bytes": len(self.content)}


def _frequency_name(code: str, policy: Policy) -> str:
    return {policy.get("claims.frequency_original"): "original",
            policy.get("claims.frequency_replacement"): "replacement",
            policy.get("claims.frequency_void"): "void"}[code]


def _submission(uow, claim: Claim, policy: Policy) -> ClaimSubmission:
    """A stored claim as the 837P/CMS-1500 value, with its legs' pick-up and drop-off addresses."""
    member = uow.session.get(Member, claim.member_id)
    legs = {leg.id: leg for leg in uow.session.scalars(select(Leg).where(
        Leg.id.in_([ln.leg_id for ln in claim.lines if ln.leg_id is not None])))}
    lines = []
    for ln in claim.lines:
        if ln.charge == "":
            raise InvalidInput(f"claim {claim.claim_number} line {ln.line_number} has no charge",
                               field="charge", rule="Rate and Fee Schedule")
        leg = legs.get(ln.leg_id)
        lines.append(claim_rules.ClaimLine(
            hcpcs=ln.hcpcs, modifiers=tuple(ln.modifiers or ()), units=ln.units, date_of_service=ln.service_date,
            place_of_service=claim.place_of_service, rendering_provider_npi=ln.rendering_npi,
            ref=leg.key if leg else str(ln.id), pickup_address=leg.origin_address if leg else None,
            dropoff_address=leg.destination_address if leg else None, charge=Decimal(ln.charge)))
    own_id = member is not None and member.medicaid_id == claim.billing_medicaid_id
    value = claim_rules.Claim(
        member_id=claim.billing_medicaid_id, place_of_service=claim.place_of_service, diagnosis=claim.diagnosis,
        lines=tuple(lines), member_name=f"{member.first_name} {member.last_name}" if own_id else "",
        member_birth_date=member.birth_date if own_id else None)
    frequency = _frequency_name(claim.frequency, policy)
    (submission,) = submissions_from_claims(
        [value], claim_number_prefix="", frequency=frequency,
        original_claim_numbers=[claim.original_claim_number] if frequency != "original" else None)
    return replace(submission, claim_number=claim.claim_number)


def _pyx12_message(message: str) -> str:
    """pyx12 quotes element values in parentheses; they could be member data — keep the rest."""
    return re.sub(r"\([^)]*\)", "(…)", message)[:300]


def _write_atomically(path: Path, content: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return path


def export_claims(uow, actor: Actor, *, fmt: str = "837p", provider: TransportProvider | str | None = None,
                  out: str | Path | None = None, claim_numbers: Sequence[str] | None = None,
                  now: dt.datetime | None = None) -> ExportResult:
    """Export the provider's ``ready`` claims (or the listed ones) as one 837P interchange or one CMS-1500 PDF.

    837P: interchange and group control numbers come from never-repeating counters; the text is validated by pyx12
    (and the writer's own edits) before anything is written. The file is written to ``out`` (atomically) before the
    claims are committed as ``exported`` with their batch; a failure leaves no file and no change."""
    _require(actor, WRITE_ROLES)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format", rule="export formats")
    if provider is None and not (actor.user_id is not None and actor.role == Role.PROVIDER_ADMIN):
        ids = set(uow.session.scalars(_claims_scope(select(Claim.provider_id).where(Claim.status.in_(EXPORTABLE)),
                                                    actor)))
        if len(ids) > 1:
            raise InvalidInput("ready claims of several providers: name one (--provider NPI)", field="provider",
                               rule="one billing provider per 837P interchange")
        provider = uow.session.get(TransportProvider, ids.pop()) if ids else None
        if provider is None:
            raise InvalidInput("no claims are ready to export", field="status", rule="only ready claims are exported")
    provider = _provider(uow, actor, provider)
    policy = load_policy(provider.organization.program)
    query = select(Claim).where(Claim.provider_id == provider.id, Claim.status.in_(EXPORTABLE))
    if claim_numbers:
        query = query.where(Claim.claim_number.in_(list(claim_numbers)))
    rows = list(uow.session.scalars(query.options(selectinload(Claim.lines)).order_by(Claim.id)))
    if claim_numbers and len(rows) != len(set(claim_numbers)):
        raise InvalidInput("some of the claims are not ready to export (or not this provider's)",
                           field="claim_numbers", rule="only ready claims are exported")
    if not rows:
        raise InvalidInput("no claims are ready to export", field="status", rule="only ready claims are exported")
    # Take the claims first: a second exporter at the same time updates none of them and gets a conflict.
    taken = uow.session.execute(update(Claim).where(Claim.id.in_([r.id for r in rows]),
                                                    Claim.status.in_(EXPORTABLE))
                                .values(status="exported").execution_options(synchronize_session=False)).rowcount
    if taken != len(rows):
        uow.rollback()
        raise Conflict("another export took some of these claims; run the export again", field="status",
                       rule="a claim is exported once")
    info, profile = _billing_provider(uow, provider)
    submissions = [_submission(uow, row, policy) for row in rows]
    now = now or clock.now().astimezone(policy.time_zone)
    icn = gcn = None
    if fmt == "837p":
        icn = uow.control_numbers.next(ISA_COUNTER)
        gcn = uow.control_numbers.next(GS_COUNTER)
        try:
            text = write_837p(submissions, submitter=Submitter(profile.submitter_name, profile.submitter_id,
                                                               profile.contact_name, profile.phone or "0000000000"),
                              billing_provider=info, interchange_control_number=icn, group_control_number=gcn,
                              policy=policy, created_at=now)
        except X12WriteError as exc:
            uow.rollback()
            raise InvalidInput(str(exc), field="claims", rule="837P 005010X222A1") from None
        ok, messages = validate_x12(text)
        if not ok:
            uow.rollback()
            raise InvalidInput("pyx12 rejected the 837P; nothing was written: "
                               + "; ".join(_pyx12_message(m) for m in messages[:3]),
                               field="claims", rule="837P 005010X222A1 (pyx12)")
        content = text.encode("ascii")
    else:
        from nemt.billing.cms1500 import render_cms1500

        content = render_cms1500(submissions, info, policy, signed_on=now.date(), signer=profile.contact_name,
                                 billing_phone=profile.phone)
    digest = hashlib.sha256(content).hexdigest()
    batch = ClaimBatch(format=fmt, interchange_control_number=icn, group_control_number=gcn, sha256=digest,
                       claims=len(rows))
    uow.session.add(batch)
    uow.session.flush()
    uow.session.execute(update(Claim).where(Claim.id.in_([r.id for r in rows])).values(batch_id=batch.id)
                        .execution_options(synchronize_session=False))
    for row in rows:
        audit.record(uow, actor, "export", "claim", row.member_id, claim_number=row.claim_number, format=fmt,
                     batch=batch.id)
    written = None
    if out is not None:
        written = _write_atomically(Path(out), content)
    try:
        uow.commit()
    except Exception:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    for row in rows:
        uow.session.expire(row)
    return ExportResult(batch.id, fmt, [r.claim_number for r in rows], digest, content, icn, gcn,
                        str(written) if written else None)


# ----------------------------------------------------------------------------------------------------------------
# Replacement and void
# ----------------------------------------------------------------------------------------------------------------
def _resubmittable(uow, actor: Actor, claim_number: str) -> tuple[Claim, TransportProvider, Policy]:
    _require(actor, WRITE_ROLES)
    original = _claim(uow, actor, claim_number, lock=True)
    provider = _provider(uow, actor, uow.session.get(TransportProvider, original.provider_id))
    if original.status not in RESUBMITTABLE:
        raise Conflict(f"a claim that is {original.status} cannot be replaced or voided (only a sent claim)",
                       field="claim_number", rule="CMS 1500 Paper Claim Reference Table, field 22")
    if original.frequency == load_policy(original.program).get("claims.frequency_void"):
        raise Conflict("a void cannot be replaced or voided", field="claim_number", rule="claim frequency")
    return original, provider, load_policy(original.program)


def _resubmit(uow, actor: Actor, original: Claim, policy: Policy, frequency_key: str, new_status: str,
              lines: list[ClaimLine], edits: list[dict], total: Decimal) -> dict[str, Any]:
    taken = uow.session.execute(update(Claim).where(Claim.id == original.id, Claim.status.in_(RESUBMITTABLE))
                                .values(status=new_status).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        uow.rollback()
        raise Conflict("the claim was replaced or voided meanwhile", field="claim_number", rule="claim frequency")
    row = Claim(
        claim_number=_next_claim_number(uow), program=original.program, provider_id=original.provider_id,
        member_id=original.member_id, billing_medicaid_id=original.billing_medicaid_id,
        place_of_service=original.place_of_service, diagnosis=original.diagnosis,
        frequency=policy.get(frequency_key),
        original_claim_number=original.payer_claim_number or original.claim_number,
        status=_status_of(edits), total_charge=str(total), edits=edits, adjudication={}, lines=lines)
    uow.session.add(row)
    uow.session.flush()
    audit.record(uow, actor, "create", "claim", row.member_id, claim_number=row.claim_number,
                 replaces=original.claim_number, frequency=row.frequency)
    uow.commit()
    uow.session.expire(original)
    return claim_view(uow, row)


def replace_claim(uow, actor: Actor, claim_number: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """A replacement (frequency 7) of a sent claim, rebuilt from its legs' current (corrected) trip logs with the same
    rules as a build; the original becomes ``replaced``. Returns the new claim."""
    original, provider, policy = _resubmittable(uow, actor, claim_number)
    today = today or clock.today(policy.time_zone)
    dates = [ln.service_date for ln in original.lines]
    priced, leg_of, edits, followers = _derive(uow, provider, min(dates), max(dates), policy, today)
    own = {ln.leg_id for ln in original.lines if ln.leg_id is not None}
    keys = [k for k, leg in leg_of.items() if leg.id in own]
    new_lines = [ln for claim in priced for ln in claim.lines
                 if ln.ref in keys and claim.member_id == original.billing_medicaid_id
                 and claim.place_of_service == original.place_of_service]
    if not new_lines:
        raise Conflict("the legs of this claim are no longer billable from their trip logs: void it instead",
                       field="claim_number", rule="claim frequency")
    refs = list(dict.fromkeys(ln.ref for ln in new_lines))
    refs += [f for r in refs for f in followers.get(r, ())]
    line_rows, extra, total = _line_rows(new_lines, {k: leg.id for k, leg in leg_of.items()})
    claim_edits = [_edit_dict(e) for r in refs for e in edits.get(r, ()) if e.code != "timely-filing-limit-passed"]
    return _resubmit(uow, actor, original, policy, "claims.frequency_replacement", "replaced", line_rows,
                     claim_edits + extra, total)


def void_claim(uow, actor: Actor, claim_number: str) -> dict[str, Any]:
    """A void (frequency 8) of a sent claim with the same lines; the original becomes ``voided``. Returns the void."""
    original, _, policy = _resubmittable(uow, actor, claim_number)
    lines = [ClaimLine(line_number=ln.line_number, leg_id=ln.leg_id, hcpcs=ln.hcpcs, modifiers=list(ln.modifiers),
                       units=ln.units, charge=ln.charge, service_date=ln.service_date,
                       rendering_npi=ln.rendering_npi, adjudication={}) for ln in original.lines]
    return _resubmit(uow, actor, original, policy, "claims.frequency_void", "voided", lines, [],
                     Decimal(original.total_charge))


# ----------------------------------------------------------------------------------------------------------------
# Remittance (835)
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class RemitResult:
    sha256: str
    unchanged: bool = False
    posted: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    paid_total: str = "0.00"
    remittance_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _adjustments(items) -> list[dict[str, str]]:
    return [{"group": a.group, "reason": a.reason, "amount": str(a.amount),
             **({"quantity": str(a.quantity)} if a.quantity is not None else {})} for a in items]


def post_remittance(uow, actor: Actor, content: bytes | str) -> RemitResult:
    """Post an 835: payments, adjustments and denials onto the claims by claim number (CLP01). Nothing is posted
    from a malformed file (the error names the segment); the same file twice changes nothing. Claims the actor may
    not see, or does not know, are listed as unmatched."""
    _require(actor, WRITE_ROLES)
    raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    digest = hashlib.sha256(raw).hexdigest()
    if uow.session.scalar(select(Remittance.id).where(Remittance.sha256 == digest)) is not None:
        return RemitResult(digest, unchanged=True)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput("an 835 is ASCII text", field="file", rule="X12 835 005010X221A1") from None
    try:
        remittance = parse_835(text)
    except RemittanceError as exc:
        raise InvalidInput(f"{exc.message}; nothing was posted", field=exc.path,
                           rule="X12 835 005010X221A1") from None
    numbers = [c.claim_number for c in remittance.claims]
    rows = {r.claim_number: r for r in uow.session.scalars(
        _claims_scope(select(Claim).where(Claim.claim_number.in_(numbers)), actor).options(selectinload(Claim.lines)))}
    record = Remittance(sha256=digest, payer=remittance.payer_name[:100], check_number=remittance.trace_number[:50],
                        paid_total=str(remittance.total_paid), claims=len(remittance.claims))
    uow.session.add(record)
    try:
        uow.session.flush()
    except IntegrityError:  # the same file, posted by someone else a moment ago
        uow.rollback()
        return RemitResult(digest, unchanged=True)
    result = RemitResult(digest, paid_total=str(remittance.total_paid), remittance_id=record.id)
    for payment in remittance.claims:
        row = rows.get(payment.claim_number)
        if row is None:
            result.unmatched.append(payment.claim_number)
            continue
        status = "denied" if payment.denied else ("reversed" if payment.status_code == "22" else "paid")
        row.status = status
        row.paid_amount = str(payment.paid)
        row.payer_claim_number = payment.payer_claim_number
        row.adjudication = {
            "status_code": payment.status_code, "status": payment.status, "charge": str(payment.charge),
            "paid": str(payment.paid), "patient_responsibility": str(payment.patient_responsibility),
            "adjustments": _adjustments(payment.adjustments), "remittance_id": record.id,
            "trace_number": remittance.trace_number,
            "payment_date": remittance.payment_date.isoformat() if remittance.payment_date else None,
        }
        unused = list(row.lines)
        for service in payment.services:
            line = next((ln for ln in unused if ln.hcpcs == service.hcpcs
                         and tuple(ln.modifiers or ()) == service.modifiers
                         and (service.date_of_service is None or ln.service_date == service.date_of_service)), None)
            if line is None:
                continue
            unused.remove(line)
            line.adjudication = {"charge": str(service.charge), "paid": str(service.paid),
                                 "units": str(service.units) if service.units is not None else None,
                                 "adjustments": _adjustments(service.adjustments)}
        (result.denied if payment.denied else result.posted).append(payment.claim_number)
        audit.record(uow, actor, "update", "claim", row.member_id, claim_number=row.claim_number,
                     remittance=record.id, status=status)
    uow.commit()
    return result
