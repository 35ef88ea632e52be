"""Members and coverage: eligibility-file import, look-up, and the member record shown to staff.

Every read and change of member data writes an audit record (services.audit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from nemt import clock
from nemt.domain.actors import Actor, Role
from nemt.domain.vocabulary import DOCUMENTED_NEEDS, RESIDENCES
from nemt.policy import load_policy
from nemt.services.platform import access, audit
from nemt.services.platform.csv_files import RowReader, read_csv
from nemt.services.platform.errors import ImportRejected, InvalidInput, NotFound, RowError
from nemt.store.models import Coverage, EligibilityImport, Member, MemberNeed

# The eligibility file: one row per coverage span; a member with several spans has several rows, whose member
# columns must agree. `documented_needs` is a ;-separated list from the needs vocabulary.
REQUIRED_COLUMNS = (
    "medicaid_id", "first_name", "last_name", "birth_date", "address_line", "city", "state", "zip", "county",
    "plan", "coverage_start", "coverage_end",
)
OPTIONAL_COLUMNS = ("phone", "residence", "facility_has_vehicle", "has_other_transportation", "at_risk_adult",
                    "documented_needs")
_MEMBER_FIELDS = ("first_name", "last_name", "birth_date", "address_line", "city", "state", "zip", "county",
                  "phone", "residence", "facility_has_vehicle", "has_other_transportation", "at_risk_adult")


@dataclass(frozen=True)
class ImportResult:
    file: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: bool  # the same file was imported before: nothing to do


def check_zip(rr: RowReader, field: str, zip_code: str, state: str) -> None:
    """A ZIP must be well formed, known, and in the row's state."""
    from nemt.geo import GeoError, lookup_zip, normalize_zip

    try:
        normalize_zip(zip_code, field)
        record = lookup_zip(zip_code, field)
    except GeoError:
        # The reason is stated without the value: an address is member data.
        rr.bad(field, "unknown ZIP code" if zip_code.strip()[:5].isdigit() else "must be 5 digits or ZIP+4")
        return
    if record.state != state:
        rr.bad(field, f"is in {record.state}, not in the row's state {state}")


def _parse_row(rr: RowReader, policy) -> tuple[dict, dict, list[str]]:
    """One eligibility row: the member's fields, the coverage span, the certifications."""
    medicaid_id = rr.text("medicaid_id").upper()
    if not policy.valid_medicaid_id(medicaid_id):
        rr.bad("medicaid_id", f"must match the {policy.code} Medicaid ID format "
                              f"(e.g. {policy.get('identifiers.medicaid_id_example')}) — "
                              f"{policy.cite('identifiers')}")
    member: dict = {
        "medicaid_id": medicaid_id,
        "first_name": rr.text("first_name", required=True),
        "last_name": rr.text("last_name", required=True),
        "address_line": rr.text("address_line"),
        "city": rr.text("city"),
        "county": rr.text("county", required=True).removesuffix(" County").strip(),
        "phone": rr.text("phone"),
        "birth_date": rr.date("birth_date"),
        "state": rr.text("state").upper(),
        "zip": rr.text("zip"),
        "residence": rr.text("residence") or "home",
        "has_other_transportation": rr.boolean("has_other_transportation"),
        "at_risk_adult": rr.boolean("at_risk_adult"),
        "facility_has_vehicle": rr.boolean("facility_has_vehicle", default=None),
    }
    if member["birth_date"] and member["birth_date"] > clock.today(policy.time_zone):
        rr.bad("birth_date", "is in the future")
    check_zip(rr, "zip", member["zip"], member["state"])
    if member["state"] != policy.state:
        rr.bad("state", f"the {policy.code} program covers residents of {policy.state}")
    if member["residence"] not in RESIDENCES:
        rr.bad("residence", f"must be one of {', '.join(RESIDENCES)}")
    plans = policy.get("eligibility.all_plans")
    plan, start, end = rr.text("plan"), rr.date("coverage_start"), rr.date("coverage_end", required=False)
    span = {"plan": plan, "start": start, "end": end}
    if plan not in plans:
        rr.bad("plan", f"unknown benefit plan; one of {', '.join(plans)} — {policy.cite('eligibility')}")
    if start and end and end < start:
        rr.bad("coverage_end", "is before coverage_start")
    needs = rr.listing("documented_needs", DOCUMENTED_NEEDS)
    return member, span, needs


def import_eligibility(uow, actor: Actor, program: str, filename: str, content: bytes) -> ImportResult:
    """Load an eligibility file: all rows or none. Importing the same file twice changes nothing."""
    access.require_role(actor, access.MEMBER_IMPORT_ROLES)
    policy = load_policy(program)
    digest = hashlib.sha256(content).hexdigest()
    if uow.session.scalar(select(EligibilityImport).where(EligibilityImport.sha256 == digest)):
        return ImportResult(filename, digest, 0, 0, 0, unchanged=True)
    errors: list[RowError] = []
    members: dict[str, dict] = {}
    spans: dict[str, list[dict]] = {}
    needs: dict[str, set[str]] = {}
    first_line: dict[str, int] = {}
    rows = 0
    for rr in read_csv(filename, content, REQUIRED_COLUMNS):
        rows += 1
        member, span, row_needs = _parse_row(rr, policy)
        errors.extend(rr.errors)
        if rr.errors:
            continue
        mid = member["medicaid_id"]
        if mid in members:
            differing = [f for f in _MEMBER_FIELDS if members[mid][f] != member[f]]
            if differing:
                errors.append(RowError(rr.line, differing[0],
                                       f"differs from line {first_line[mid]} for the same member"))
                continue
        else:
            members[mid], first_line[mid] = member, rr.line
        spans.setdefault(mid, []).append(span)
        needs.setdefault(mid, set()).update(row_needs)
    if errors:
        raise ImportRejected(filename, errors)

    created = updated = 0
    existing = uow.members.by_medicaid_ids(policy.code, list(members))
    for mid, fields in members.items():
        member = existing.get(mid)
        action: str | None
        if member is None:
            member = uow.members.add(Member(program=policy.code, **fields))
            created += 1
            action = "create"
        else:
            changed = [f for f in _MEMBER_FIELDS if getattr(member, f) != fields[f]]
            for f in changed:
                setattr(member, f, fields[f])
            action = "update" if changed else None
        have = {(c.plan, c.start): c for c in member.coverage}
        for span in spans[mid]:
            current = have.get((span["plan"], span["start"]))
            if current is None:
                member.coverage.append(Coverage(**span))
                action = action or "update"
            elif current.end != span["end"]:
                current.end = span["end"]
                action = action or "update"
        have_needs = set(member.documented_needs)
        for need in sorted(needs[mid] - have_needs):
            member.needs.append(MemberNeed(need=need, certified_by="eligibility file"))
            action = action or "update"
        if action == "update":
            updated += 1
        if action:
            uow.session.flush()
            audit.record(uow, actor, action, "member", member.id, source="eligibility-import", sha256=digest)
    uow.session.add(EligibilityImport(sha256=digest, program=policy.code, rows=rows, created=created,
                                      updated=updated, imported_by=actor.user_id))
    uow.commit()
    return ImportResult(filename, digest, rows, created, updated, unchanged=False)


def find_members(uow, actor: Actor, *, medicaid_id: str | None = None, last_name: str | None = None,
                 first_name: str | None = None, birth_date: dt.date | None = None) -> list[Member]:
    """Find members by Medicaid ID, or by last name and birth date (first name optional)."""
    access.require_role(actor, access.MEMBER_SEARCH_ROLES)
    if medicaid_id:
        medicaid_id = medicaid_id.strip().upper()
        programs = [actor.program] if actor.program else ["CO", "CT"]
        if not any(load_policy(p).valid_medicaid_id(medicaid_id) for p in programs):
            policy = load_policy(programs[0])
            raise InvalidInput(f"a Medicaid ID is one letter and six digits (e.g. "
                               f"{policy.get('identifiers.medicaid_id_example')})",
                               field="medicaid_id", rule=policy.cite("identifiers"))
        found = [m for p in programs if (m := uow.members.by_medicaid_id(p, medicaid_id))]
    elif last_name and birth_date:
        found = uow.members.by_name_and_birth_date(actor.program, last_name, first_name, birth_date)
    else:
        raise InvalidInput("give a Medicaid ID, or a last name and a birth date", field="medicaid_id",
                           rule="member search")
    if actor.role != Role.FACILITY_SCHEDULER or not medicaid_id:
        # A facility may find a member by exact ID to book an urgent ride; otherwise the usual visibility applies.
        found = [m for m in found if access.can_see(uow, actor, m)]
    audit.record(uow, actor, "search", "member", None, by="medicaid_id" if medicaid_id else "name+birth_date",
                 results=len(found))
    for m in found:
        audit.record(uow, actor, "read", "member", m.id, via="search")
    uow.commit()
    return found


def get_member(uow, actor: Actor, key: str) -> Member:
    access.require_role(actor, access.MEMBER_READ_ROLES)
    member = uow.members.by_key(key)
    if member is None:
        raise NotFound("no such member", field="member", rule="member look-up")
    access.ensure_can_see(uow, actor, member)
    audit.record(uow, actor, "read", "member", member.id)
    uow.commit()
    return member

