"""X12 834 Benefit Enrollment and Maintenance (005010X220A1): reader.

The Department's enrollment file says who is a member and in which benefit plan from when to when. Each member is a
loop 2000 (INS; REF*0F the subscriber identifier — the Medicaid ID), its name and address (loop 2100A: NM1*IL, N3,
N4, DMG birth date and sex) and its coverage spans (loop 2300: HD with the plan coverage description in HD04, DTP*348
benefit begin, DTP*349 benefit end). The plan description is read into the coverage vocabulary by the table of
:mod:`nemt.billing.x12_271` (Health First Colorado NEMT Billing Manual — Member Eligibility); an unknown plan refuses
the file naming its HD segment.

The import (:mod:`nemt.services.members.eligibility_edi`) has pyx12 check the file (its 005010X220A1 map) before this
reader reads it, and checks each member as an eligibility-file row is checked; a malformed file is refused naming the
first segment pyx12 or this reader finds in error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nemt.billing.x12_271 import PLAN_CITE, plan_code
from nemt.billing.x12_ack import AckError, Segment, fail, required, segments_of

__all__ = ["VERSION", "EnrolledMember", "EnrollmentSpan", "parse_834"]

VERSION = "005010X220A1"


@dataclass(frozen=True)
class EnrollmentSpan:
    plan: str  # the coverage vocabulary
    start: dt.date
    end: dt.date | None
    position: int  # the HD segment's position (for errors)


@dataclass
class EnrolledMember:
    """One member of the file (loop 2000), ``position`` the INS segment's."""

    position: int
    maintenance: str  # INS03: 001 change, 021 addition, 024 cancellation or termination, 030 audit or compare
    medicaid_id: str = ""
    last_name: str = ""
    first_name: str = ""
    birth_date: str = ""  # ISO (the import checks it as it checks a file's column)
    sex: str = ""  # DMG03: F, M or U (unknown); "" when the member has no DMG (not stated)
    address_line: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    spans: list[EnrollmentSpan] = field(default_factory=list)
    in_member_name: bool = field(default=False, repr=False, compare=False)  # reading loop 2100A (NM1*IL …)

    def __repr__(self) -> str:  # member data stays out of logs and tracebacks
        return f"EnrolledMember(position={self.position}, spans={len(self.spans)})"


def _date(segment: Segment, index: int) -> dt.date:
    text = required(segment, index, "date")
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise fail(segment, f"{segment.id}{index:02d} is not a date (CCYYMMDD)") from None


def _hd(segment: Segment) -> EnrollmentSpan:
    description = required(segment, 4, "plan coverage description")
    plan = plan_code(description)
    if plan is None:
        raise fail(segment, f"HD04 (plan coverage description) names a plan the program does not know — {PLAN_CITE}")
    return EnrollmentSpan(plan, dt.date.min, None, segment.position)


def _span_date(member: EnrolledMember, segment: Segment) -> None:
    if not member.spans:
        return
    span = member.spans[-1]
    qualifier = segment.get(1).strip()
    if segment.get(2).strip() != "D8" and qualifier in ("348", "349"):
        raise fail(segment, "DTP02 must be D8 (CCYYMMDD)")
    if qualifier == "348":
        member.spans[-1] = EnrollmentSpan(span.plan, _date(segment, 3), span.end, span.position)
    elif qualifier == "349":
        member.spans[-1] = EnrollmentSpan(span.plan, span.start, _date(segment, 3), span.position)


def _read_member_segment(member: EnrolledMember, segment: Segment) -> None:
    """One segment of loop 2000/2100A/2300 into ``member``."""
    sid, get = segment.id, segment.get
    if sid in ("NM1", "HD"):  # the member's address is loop 2100A's, not a mailing or a provider's (2100C, 2310)
        member.in_member_name = sid == "NM1" and get(1).strip() == "IL"
    if sid == "REF" and get(1).strip() == "0F":
        member.medicaid_id = required(segment, 2, "subscriber identifier").upper()
    elif sid == "NM1" and member.in_member_name:
        member.last_name, member.first_name = required(segment, 3, "last name"), get(4).strip()
    elif sid in ("PER", "N3", "N4", "DMG") and not member.in_member_name:
        return
    elif sid == "PER" and get(3).strip() == "TE":
        member.phone = get(4).strip()
    elif sid == "N3":
        member.address_line = " ".join(p for p in (get(1).strip(), get(2).strip()) if p)
    elif sid == "N4":
        member.city, member.state, member.zip = get(1).strip(), get(2).strip().upper(), get(3).strip()
    elif sid == "DMG":
        birth = _date(segment, 2)
        member.birth_date, member.sex = birth.isoformat(), (get(3).strip() or "U")
    elif sid == "HD":
        member.spans.append(_hd(segment))
    elif sid == "DTP":
        _span_date(member, segment)


def parse_834(text: str) -> list[EnrolledMember]:
    """The members of an 834 (pyx12 has checked it). Raises
    :class:`~nemt.billing.x12_ack.AckError` naming the segment."""
    segments = segments_of(text)
    group = next((s for s in segments if s.id == "GS"), None)
    if group is None or group.get(8).strip() != VERSION or group.get(1).strip() != "BE":
        raise fail(group or segments[0], f"the file is not an 834 of {VERSION} (GS01 BE, GS08 {VERSION})")
    members: list[EnrolledMember] = []
    current: EnrolledMember | None = None
    for segment in segments:
        if segment.id == "ST" and segment.get(1).strip() != "834":
            raise fail(segment, "ST01 must be 834 (benefit enrollment and maintenance)")
        if segment.id == "INS":
            current = EnrolledMember(segment.position, required(segment, 3, "maintenance type code"))
            members.append(current)
        elif segment.id in ("SE", "LS", "LE"):
            current = None
        elif current is not None:
            _read_member_segment(current, segment)
    for member in members:
        _check_member(member, segments)
    if not members:
        raise AckError(1, "ISA", "the file holds no member (INS)")
    return members


def _check_member(member: EnrolledMember, segments: list[Segment]) -> None:
    ins = segments[member.position - 1]
    if not member.medicaid_id:
        raise fail(ins, "the member has no REF*0F (subscriber identifier: the Medicaid ID)")
    if not member.spans:
        raise fail(ins, "the member has no HD (health coverage) loop")
    for span in member.spans:
        if span.start == dt.date.min:
            raise fail(segments[span.position - 1], "the coverage has no DTP*348 (benefit begin date)")
        if span.end is not None and span.end < span.start:
            raise fail(segments[span.position - 1], "the coverage ends (DTP*349) before it begins (DTP*348)")

