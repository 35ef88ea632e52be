"""Eligibility-file import: all rows or none; importing the same file twice changes nothing.

The eligibility file: one row per coverage span; a member with several spans has several rows, whose member columns
must agree. ``documented_needs`` is a ;-separated list from the needs vocabulary. ``sex`` (optional: F, M or U for
unknown, as the 834's and the 837P's DMG03) is kept with the member for the 837P and the CMS-1500's item 3; a file
without it leaves a known member's sex as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.vocabulary import DOCUMENTED_NEEDS, MEMBER_SEXES, RESIDENCES
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.csv_files import RowReader, check_zip, read_csv
from nemt.services.platform.errors import Forbidden, ImportRejected, RowError
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Coverage, EligibilityImport, Member, MemberNeed

REQUIRED_COLUMNS = (
    "medicaid_id", "first_name", "last_name", "birth_date", "address_line", "city", "state", "zip", "county",
    "plan", "coverage_start", "coverage_end",
)
OPTIONAL_COLUMNS = ("phone", "residence", "facility_has_vehicle", "has_other_transportation", "at_risk_adult",
                    "documented_needs", "sex")
_MEMBER_FIELDS = ("first_name", "last_name", "birth_date", "address_line", "city", "state", "zip", "county",
                  "phone", "residence", "facility_has_vehicle", "has_other_transportation", "at_risk_adult", "sex")


@dataclass(frozen=True)
class ImportResult:
    file: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: bool  # the same file was imported before: nothing to do


# --- reading the file ------------------------------------------------------------------------------------------------


def _medicaid_id(rr: RowReader, policy: Policy) -> str:
    medicaid_id = rr.text("medicaid_id").upper()
    if not policy.valid_medicaid_id(medicaid_id):
        rr.bad("medicaid_id", f"must match the {policy.code} Medicaid ID format "
                              f"(e.g. {policy.get('identifiers.medicaid_id_example')}) — "
                              f"{policy.cite('identifiers')}")
    return medicaid_id


def _member_fields(rr: RowReader, policy: Policy) -> dict[str, Any]:
    """The member's columns of a row, checked: birth date not in the future, ZIP in the row's state, a resident of
    the program's state, a known kind of residence."""
    member: dict[str, Any] = {
        "medicaid_id": _medicaid_id(rr, policy),
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
        "sex": rr.choice("sex", MEMBER_SEXES, required=False) if rr.text("sex") else None,  # None: not stated
    }
    if member["birth_date"] and member["birth_date"] > clock.today(policy.time_zone):
        rr.bad("birth_date", "is in the future")
    check_zip(rr, "zip", member["zip"], member["state"])
    if member["state"] != policy.state:
        rr.bad("state", f"the {policy.code} program covers residents of {policy.state}")
    if member["residence"] not in RESIDENCES:
        rr.bad("residence", f"must be one of {', '.join(RESIDENCES)}")
    return member


def _span(rr: RowReader, policy: Policy) -> dict[str, Any]:
    """The coverage span of a row: a known benefit plan, ending (if it ends) after it starts."""
    plans = policy.get("eligibility.all_plans")
    plan, start, end = rr.text("plan"), rr.date("coverage_start"), rr.date("coverage_end", required=False)
    if plan not in plans:
        rr.bad("plan", f"unknown benefit plan; one of {', '.join(plans)} — {policy.cite('eligibility')}")
    if start and end and end < start:
        rr.bad("coverage_end", "is before coverage_start")
    return {"plan": plan, "start": start, "end": end}


@dataclass
class _FileContent:
    """What a file says about each member (by Medicaid ID): the member's fields, coverage spans and needs."""

    rows: int = 0
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    spans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    needs: dict[str, set[str]] = field(default_factory=dict)
    first_line: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def add(self, line: int, member: dict[str, Any], span: dict[str, Any], needs: list[str]) -> None:
        mid = member["medicaid_id"]
        if mid in self.members:
            differing = [f for f in _MEMBER_FIELDS if self.members[mid][f] != member[f]]
            if differing:
                self.errors.append(RowError(line, differing[0],
                                            f"differs from line {self.first_line[mid]} for the same member"))
                return
        else:
            self.members[mid], self.first_line[mid] = member, line
        self.spans.setdefault(mid, []).append(span)
        self.needs.setdefault(mid, set()).update(needs)


def _read_file(filename: str, content: bytes, policy: Policy) -> _FileContent:
    """Every row parsed and checked; a file with any bad row is rejected with all of its errors."""
    return read_rows(filename, read_csv(filename, content, REQUIRED_COLUMNS), policy)


def read_rows(filename: str, rows: Iterable[RowReader], policy: Policy) -> _FileContent:
    """Rows with the file's columns (a CSV's, or an 834's members as rows: ``eligibility_edi``) parsed and checked;
    any bad row rejects them all, with all of their errors."""
    file = _FileContent()
    for rr in rows:
        file.rows += 1
        member, span = _member_fields(rr, policy), _span(rr, policy)
        needs = rr.listing("documented_needs", DOCUMENTED_NEEDS)
        file.errors.extend(rr.errors)
        if not rr.errors:
            file.add(rr.line, member, span, needs)
    if file.errors:
        raise ImportRejected(filename, file.errors)
    return file


# --- writing the members ---------------------------------------------------------------------------------------------


def _merge_spans(member: Member, spans: list[dict[str, Any]]) -> bool:
    """Add new coverage spans and move the end of known ones; whether anything changed."""
    have = {(c.plan, c.start): c for c in member.coverage}
    changed = False
    for span in spans:
        current = have.get((span["plan"], span["start"]))
        if current is None:
            member.coverage.append(Coverage(**span))
            changed = True
        elif current.end != span["end"]:
            current.end = span["end"]
            changed = True
    return changed


def _merge_needs(member: Member, needs: set[str]) -> bool:
    """Add the needs the file certifies that the member does not have yet; whether there were any."""
    new = sorted(needs - set(member.documented_needs))
    for need in new:
        member.needs.append(MemberNeed(need=need, certified_by="eligibility file"))
    return bool(new)


def _stated(fields: dict[str, Any]) -> dict[str, Any]:
    """A member's fields as a file states them (a sex the file does not state is left out)."""
    return {k: v for k, v in fields.items() if k != "sex" or v is not None}


def _update_fields(member: Member, fields: dict[str, Any]) -> bool:
    fields = _stated(fields)
    changed = [f for f in _MEMBER_FIELDS if f in fields and getattr(member, f) != fields[f]]
    for f in changed:
        setattr(member, f, fields[f])
    return bool(changed)


def _apply(member: Member, fields: dict[str, Any], spans: list[dict[str, Any]], needs: set[str]) -> str | None:
    """Bring a known member up to the file; ``"update"`` when anything changed, else None."""
    changed = _update_fields(member, fields)
    changed = _merge_spans(member, spans) or changed
    changed = _merge_needs(member, needs) or changed
    return "update" if changed else None


def import_eligibility(uow, actor: Actor, program: str, filename: str, content: bytes) -> ImportResult:
    """Load an eligibility file: all rows or none. Importing the same file twice changes nothing."""
    require(actor, Action.MEMBER_IMPORT)
    if not actor.sees_program(program):
        raise Forbidden(f"you administer the {actor.program} program, not {program}", field="program",
                        rule="program-based access")
    policy = load_policy(program)
    digest = hashlib.sha256(content).hexdigest()
    if uow.members.file_imported(digest):
        return ImportResult(filename, digest, 0, 0, 0, unchanged=True)
    file = _read_file(filename, content, policy)
    created, updated = store_members(uow, actor, policy, file, digest, source="eligibility-import")
    uow.commit()
    return ImportResult(filename, digest, file.rows, created, updated, unchanged=False)


def store_members(uow, actor: Actor, policy: Policy, file: _FileContent, digest: str, *,
                  source: str) -> tuple[int, int]:
    """Create or bring up to date the members of a checked file, with an audit record each, and record the file
    (by ``digest``) as imported; the caller commits. Returns (created, updated)."""
    counts = {"create": 0, "update": 0}
    existing = uow.members.by_medicaid_ids(policy.code, list(file.members))
    for mid, fields in file.members.items():
        member = existing.get(mid)
        if member is None:
            member = uow.members.add(Member(program=policy.code, **_stated(fields)))
            _merge_spans(member, file.spans[mid])
            _merge_needs(member, file.needs[mid])
            action: str | None = "create"
        else:
            action = _apply(member, fields, file.spans[mid], file.needs[mid])
        if action:
            counts[action] += 1
            uow.flush()
            audit.record(uow, actor, action, "member", member.id, source=source, sha256=digest)
    uow.members.add_import(EligibilityImport(sha256=digest, program=policy.code, rows=file.rows,
                                             created=counts["create"], updated=counts["update"],
                                             imported_by=actor.user_id))
    return counts["create"], counts["update"]
