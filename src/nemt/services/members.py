"""Members and coverage: eligibility-file import, look-up, and the member record shown to staff.

Every read and change of member data writes an audit record (services.audit).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from sqlalchemy import select

from nemt.domain.identifiers import valid_zip
from nemt.domain.vocabulary import DOCUMENTED_NEEDS, RESIDENCES
from nemt.policy import load_policy
from nemt.services import access, audit
from nemt.services.actors import Actor
from nemt.services.errors import ImportRejected, InvalidInput, NotFound, RowError
from nemt.store.models import Coverage, EligibilityImport, Member, MemberNeed, Role

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
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}


@dataclass(frozen=True)
class ImportResult:
    file: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: bool  # the same file was imported before: nothing to do


def _zip_info(zip_code: str):
    import zipcodes

    try:
        found = zipcodes.matching(zip_code[:5])
    except (ValueError, TypeError):
        return None
    return found[0] if found else None


def _parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError("must be true or false")


def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value.strip())


def _parse_row(line: int, row: dict[str, str], policy) -> tuple[dict, dict, list[str], list[RowError]]:
    """Validate one CSV row. Returns member fields, the coverage span, the needs and the row's errors."""
    errors: list[RowError] = []

    def bad(field: str, reason: str) -> None:
        errors.append(RowError(line, field, reason))

    get = lambda k: (row.get(k) or "").strip()  # noqa: E731
    medicaid_id = get("medicaid_id").upper()
    if not policy.valid_medicaid_id(medicaid_id):
        bad("medicaid_id", f"must match the {policy.code} Medicaid ID format "
                           f"(e.g. {policy.get('identifiers.medicaid_id_example')}) — "
                           f"{policy.cite('identifiers')}")
    member: dict = {"medicaid_id": medicaid_id}
    for name in ("first_name", "last_name", "address_line", "city", "county"):
        member[name] = get(name)
        if not member[name] and name in ("first_name", "last_name", "county"):
            bad(name, "is required")
    member["county"] = member["county"].removesuffix(" County").strip()
    member["phone"] = get("phone")
    try:
        member["birth_date"] = _parse_date(get("birth_date"))
        if member["birth_date"] > dt.date.today():
            bad("birth_date", "is in the future")
    except ValueError:
        bad("birth_date", "must be a date YYYY-MM-DD")
    state = get("state").upper()
    member["state"] = state
    zip_code = get("zip")
    member["zip"] = zip_code
    if not valid_zip(zip_code):
        bad("zip", "must be 5 or 9 digits")
    else:
        info = _zip_info(zip_code)
        if info is None:
            bad("zip", "unknown ZIP code")
        elif info["state"] != state:
            bad("zip", f"is in {info['state']}, not in the row's state {state}")
    if state != policy.state:
        bad("state", f"the {policy.code} program covers residents of {policy.state}")
    residence = get("residence") or "home"
    if residence not in RESIDENCES:
        bad("residence", f"must be one of {', '.join(RESIDENCES)}")
    member["residence"] = residence
    for name in ("has_other_transportation", "at_risk_adult"):
        try:
            member[name] = _parse_bool(get(name))
        except ValueError as exc:
            bad(name, str(exc))
    fhv = get("facility_has_vehicle")
    try:
        member["facility_has_vehicle"] = None if fhv == "" else _parse_bool(fhv)
    except ValueError as exc:
        bad("facility_has_vehicle", str(exc))

    plan = get("plan")
    if plan not in policy.get("eligibility.all_plans"):
        bad("plan", f"unknown benefit plan; one of {', '.join(policy.get('eligibility.all_plans'))} — "
                    f"{policy.cite('eligibility')}")
    span: dict = {"plan": plan}
    try:
        span["start"] = _parse_date(get("coverage_start"))
    except ValueError:
        bad("coverage_start", "must be a date YYYY-MM-DD")
    end = get("coverage_end")
    try:
        span["end"] = _parse_date(end) if end else None
    except ValueError:
        bad("coverage_end", "must be a date YYYY-MM-DD or empty (open-ended)")
    if span.get("start") and span.get("end") and span["end"] < span["start"]:
        bad("coverage_end", "is before coverage_start")

    needs = [n.strip() for n in get("documented_needs").split(";") if n.strip()]
    for need in needs:
        if need not in DOCUMENTED_NEEDS:
            bad("documented_needs", f"unknown certification {need!r}")
    return member, span, needs, errors


def import_eligibility(uow, actor: Actor, program: str, filename: str, content: bytes) -> ImportResult:
    """Load an eligibility file: all rows or none. Importing the same file twice changes nothing."""
    access.require_role(actor, access.MEMBER_IMPORT_ROLES)
    policy = load_policy(program)
    digest = hashlib.sha256(content).hexdigest()
    if uow.session.scalar(select(EligibilityImport).where(EligibilityImport.sha256 == digest)):
        return ImportResult(filename, digest, 0, 0, 0, unchanged=True)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(filename, [RowError(1, "(file)", "is not UTF-8 text")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(filename, [RowError(1, c, "column missing from the header") for c in missing])

    errors: list[RowError] = []
    members: dict[str, dict] = {}
    spans: dict[str, list[dict]] = {}
    needs: dict[str, set[str]] = {}
    first_line: dict[str, int] = {}
    rows = 0
    for row in reader:
        rows += 1
        line = reader.line_num
        if None in row:
            errors.append(RowError(line, "(row)", "has more fields than the header"))
            continue
        member, span, row_needs, row_errors = _parse_row(line, row, policy)
        errors.extend(row_errors)
        if row_errors:
            continue
        mid = member["medicaid_id"]
        if mid in members:
            differing = [f for f in _MEMBER_FIELDS if members[mid][f] != member[f]]
            if differing:
                errors.append(RowError(line, differing[0],
                                       f"differs from line {first_line[mid]} for the same member"))
                continue
        else:
            members[mid], first_line[mid] = member, line
        spans.setdefault(mid, []).append(span)
        needs.setdefault(mid, set()).update(row_needs)
    if rows == 0:
        errors.append(RowError(2, "(file)", "has no data rows"))
    if errors:
        raise ImportRejected(filename, errors)

    created = updated = 0
    existing = uow.members.by_medicaid_ids(policy.code, list(members))
    for mid, fields in members.items():
        member = existing.get(mid)
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

