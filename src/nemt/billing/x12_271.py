"""X12 271 Health Care Eligibility Benefit Response (005010X279A1): reader.

The payer answers our 270 (:mod:`nemt.billing.x12_270`) under the same trace number (TRN02 of the subscriber level,
loop 2000C). Its EB segments (loop 2110C) say what the member has: EB01 the eligibility code (``1`` active coverage,
``6`` inactive, …), EB03 the service types, EB05 the plan coverage description, with the dates in the DTP that
follows (``291`` plan, ``307`` eligibility, ``346``/``347`` plan begin/end; ``D8`` or ``RD8``). A request the payer
could not answer carries an AAA (request validation) with a reject reason code instead.

The plan description is read into the platform's coverage vocabulary (the plans of ``eligibility.all_plans``) by the
names of the Health First Colorado NEMT Billing Manual — Member Eligibility: "Medicaid State Plan/Title XIX", and
the groups not eligible for NEMT: "Qualified Medicaid Beneficiary (QMB) Only", "Special Low-Income Medicare
Beneficiary (SLMB) Only", "Medicare Qualifying Individual-1 (QI-1)", "Old Age Pension- State Only (OAP-state only)",
and "Child Health Plan Plus (CHP+) is not Health First Colorado". A plan description the table does not know refuses
the file (naming the EB segment): guessing a member's coverage would decide rides on a guess.

Code meanings are those of the X12 005010 code lists for EB01 (Eligibility or Benefit Information Code) and AAA03
(Reject Reason Code) as used by the 005010X279A1 TR3; a code not listed is shown by its number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nemt.billing.x12_270 import check_x279
from nemt.billing.x12_ack import AckError, Segment, fail, required, segments_of
from nemt.domain.decisions.words import PLAN_WORDS

__all__ = ["ELIGIBILITY_CODES", "PLAN_NAMES", "REJECT_REASONS", "Benefit", "EligibilityAnswer", "parse_271",
           "plan_code"]

ELIGIBILITY_CODES = {
    "1": "active coverage", "2": "active, full risk capitation", "3": "active, services capitated",
    "4": "active, services capitated to primary care physician", "5": "active, pending investigation",
    "6": "inactive", "7": "inactive, pending eligibility update", "8": "inactive, pending investigation",
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
REJECT_REASONS = {
    "15": "required application data missing", "41": "authorization or access restrictions",
    "42": "unable to respond at current time", "43": "invalid or missing provider identification",
    "58": "invalid or missing date of birth", "62": "date of service not within allowable inquiry period",
    "63": "date of service in the future", "72": "invalid or missing subscriber or insured ID",
    "73": "invalid or missing subscriber or insured name", "75": "subscriber or insured not found",
    "76": "duplicate subscriber or insured ID number",
}
# Plan coverage descriptions (EB05, and the 834's HD04) -> the coverage vocabulary. Keys are compared in capitals
# with runs of blanks made one; the vocabulary's own codes are accepted too. Source: Member Eligibility (above).
PLAN_NAMES = {
    "MEDICAID STATE PLAN": "medicaid-state-plan", "MEDICAID STATE PLAN/TITLE XIX": "medicaid-state-plan",
    "TITLE XIX": "medicaid-state-plan", "HEALTH FIRST COLORADO": "medicaid-state-plan",
    "QMB ONLY": "QMB-only", "QUALIFIED MEDICAID BENEFICIARY (QMB) ONLY": "QMB-only",
    "SLMB ONLY": "SLMB-only", "SPECIAL LOW-INCOME MEDICARE BENEFICIARY (SLMB) ONLY": "SLMB-only",
    "QI-1": "QI-1", "MEDICARE QUALIFYING INDIVIDUAL-1 (QI-1)": "QI-1",
    "OAP-STATE ONLY": "OAP-state-only", "OLD AGE PENSION- STATE ONLY (OAP-STATE ONLY)": "OAP-state-only",
    "OLD AGE PENSION-STATE ONLY": "OAP-state-only",
    "CHP+": "CHP+", "CHILD HEALTH PLAN PLUS (CHP+)": "CHP+", "CHILD HEALTH PLAN PLUS": "CHP+",
    "HUSKY": "HUSKY",
}
PLAN_CITE = "Health First Colorado NEMT Billing Manual — Member Eligibility"
# The vocabulary's codes and the words the decisions use for them (nemt.domain.decisions.words) are accepted too.
_VOCABULARY = {code.upper(): code for code in PLAN_NAMES.values()} | \
    {" ".join(words.upper().split()): code for code, words in PLAN_WORDS.items()}


def plan_code(description: str) -> str | None:
    """The coverage vocabulary's plan for a plan coverage description, or None when the table does not know it."""
    key = " ".join(description.upper().split())
    return PLAN_NAMES.get(key) or _VOCABULARY.get(key)


@dataclass(frozen=True)
class Benefit:
    """One EB segment: eligibility code, service types, the plan (as the payer wrote it and in our vocabulary), and
    the dates of its DTP segments (``start``/``end`` inclusive; None: not stated)."""

    code: str
    service_types: tuple[str, ...]
    description: str
    plan: str | None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def active(self) -> bool:
        return self.code in ACTIVE_CODES

    @property
    def meaning(self) -> str:
        return ELIGIBILITY_CODES.get(self.code, f"eligibility code {self.code}")

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class EligibilityAnswer:
    """The payer's answer on one member (one subscriber level of the 271)."""

    trace: str  # TRN02: our 270's trace number
    medicaid_id: str  # NM109 of NM1*IL
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[str, ...] = ()  # AAA03 codes: the payer could not answer
    position: int = 0  # the subscriber level's HL segment (counted from the ISA)
    trace_position: int = 0  # its TRN segment

    def __repr__(self) -> str:  # the Medicaid ID stays out of logs and tracebacks
        return f"EligibilityAnswer(trace={self.trace!r}, benefits={len(self.benefits)})"

    def plans_on(self, day: dt.date) -> frozenset[str]:
        """The plans the payer says are active on ``day``."""
        return frozenset(b.plan for b in self.benefits if b.active and b.plan and b.covers(day))

    def active_on(self, day: dt.date, covering: Iterable[str]) -> bool:
        """Whether the payer reports a plan that covers NEMT (``eligibility.covering_plans``) on ``day``."""
        return not self.plans_on(day).isdisjoint(covering)

    def excluded_on(self, day: dt.date, excluded: Iterable[str]) -> tuple[str, ...]:
        """The active plans on ``day`` that the manual's list excludes from NEMT (``eligibility.excluded_plans``)."""
        return tuple(sorted(self.plans_on(day).intersection(excluded)))

    def reasons(self) -> tuple[str, ...]:
        """The payer's reject reasons in words."""
        return tuple(REJECT_REASONS.get(code, f"reject reason {code}") for code in self.rejections)


_DATE = re.compile(r"^[0-9]{8}$")


def _date(segment: Segment, text: str) -> dt.date:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise fail(segment, "DTP03 is not a date (CCYYMMDD)") from None


def _dates(segment: Segment) -> tuple[dt.date | None, dt.date | None, str]:
    """A DTP's (start, end, qualifier); D8 is one day, RD8 a range."""
    qualifier, form = required(segment, 1, "date qualifier"), required(segment, 2, "date format")
    value = required(segment, 3, "date")
    if form == "D8":
        day = _date(segment, value)
        return day, day, qualifier
    if form == "RD8" and value.count("-") == 1:
        first, last = (_date(segment, part) for part in value.split("-"))
        if last < first:
            raise fail(segment, "DTP03 ends before it starts")
        return first, last, qualifier
    raise fail(segment, "DTP02 must be D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD)")


def _with_dtp(benefit: Benefit, segment: Segment) -> Benefit:
    start, end, qualifier = _dates(segment)
    if qualifier == "346":
        return Benefit(benefit.code, benefit.service_types, benefit.description, benefit.plan, start, benefit.end)
    if qualifier == "347":
        return Benefit(benefit.code, benefit.service_types, benefit.description, benefit.plan, benefit.start, end)
    return Benefit(benefit.code, benefit.service_types, benefit.description, benefit.plan, start, end)


def _eb(segment: Segment, repetition: str) -> Benefit:
    code = required(segment, 1, "eligibility or benefit information code")
    if not code.isalnum() or len(code) > 2:
        raise fail(segment, "EB01 is not an eligibility or benefit information code")
    description = segment.get(5).strip()
    plan = plan_code(description) if description else None
    if description and plan is None:
        raise fail(segment, f"EB05 (plan coverage description) names a plan the program does not know — {PLAN_CITE}")
    services = tuple(s for s in segment.get(3).split(repetition) if s)
    return Benefit(code, services, description, plan)


def _subscriber(segments: list[Segment], start: int, repetition: str) -> EligibilityAnswer:
    """The subscriber level starting at ``segments[start]`` (its HL), up to the next HL or SE."""
    trace = medicaid_id = ""
    trace_position = 0
    benefits: list[Benefit] = []
    rejections: list[str] = []
    in_benefit = False
    for segment in segments[start + 1:]:
        if segment.id in ("HL", "SE"):
            break
        if segment.id == "TRN" and segment.get(1).strip() == "2":
            trace, trace_position = required(segment, 2, "trace number"), segment.position
        elif segment.id == "NM1" and segment.get(1).strip() == "IL":
            if segment.get(8).strip() != "MI":
                raise fail(segment, "NM108 must be MI (member identification number)")
            medicaid_id = required(segment, 9, "member identification number").upper()
        elif segment.id == "AAA":
            if segment.get(1).strip() == "N":
                rejections.append(required(segment, 3, "reject reason code"))
        elif segment.id == "EB":
            benefits.append(_eb(segment, repetition))
            in_benefit = True
        elif segment.id == "DTP" and in_benefit:
            benefits[-1] = _with_dtp(benefits[-1], segment)
        elif segment.id == "LS":
            in_benefit = False
    if not trace:
        raise fail(segments[start], "the subscriber level has no TRN*2 (the trace number of our inquiry)")
    if not medicaid_id:
        raise fail(segments[start], "the subscriber level has no NM1*IL with the member's ID")
    if not benefits and not rejections:
        raise fail(segments[start], "the subscriber level has neither an EB (benefit) nor an AAA (rejection)")
    return EligibilityAnswer(trace, medicaid_id, tuple(benefits), tuple(rejections), segments[start].position,
                             trace_position)


def parse_271(text: str) -> list[EligibilityAnswer]:
    """Every subscriber answer of the interchange. Raises :class:`~nemt.billing.x12_ack.AckError` naming the
    segment when the file fails the structure check (:func:`nemt.billing.x12_270.check_x279`) or holds a value this
    reader cannot take."""
    ok, problems = check_x279(text, {"271": "HB"})
    if not ok:
        where, _, message = problems[0].partition(": ")
        number, _, name = where.removeprefix("segment ").partition(" ")
        raise AckError(int(number) if number.isdigit() else 1, name.strip("()"), message)
    segments = segments_of(text)
    repetition = segments[0].get(11) or "^"
    answers = [_subscriber(segments, n, repetition) for n, s in enumerate(segments)
               if s.id == "HL" and s.get(3).strip() == "22"]
    return answers

