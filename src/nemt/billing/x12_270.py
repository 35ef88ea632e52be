"""X12 270 Health Care Eligibility Benefit Inquiry (005010X279A1): writer, and the structure check of 270/271 files.

A Colorado member must be "receiving Medicaid State Plan/Title XIX coverage on the date of service" (Health First
Colorado NEMT Billing Manual — Member Eligibility). The 270 asks the payer exactly that for one member and one date
of service: information source (HL 20, NM1*PR: the payer), information receiver (HL 21, NM1*1P: who asks),
subscriber (HL 22: TRN trace number, NM1*IL with the Medicaid ID, DMG birth date, DTP*291 the date of service,
EQ*30 health benefit plan coverage). The payer's 271 answers with the same trace number (:mod:`nemt.billing.x12_271`).

pyx12 4.0 (the latest release) has no map for 005010X279A1: its ``maps.xml`` lists the 5010 270/271 commented out, so
``validate_x12`` cannot read these files (pyx12 raises an engine error for an unknown GS08). :func:`check_x279` is
the check they get on the way in and out instead: the interchange and group envelopes (ISA/IEA, GS/GE counts and
control numbers, GS08 and ST03 = 005010X279A1), SE01 segment counts, and the hierarchy (HL parents, levels 20, 21,
22 in order) with the segments each level requires. The 834 has a pyx12 map and gets pyx12 (:mod:`x12_834`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nemt.billing.x12_837p import X12WriteError, _text
from nemt.billing.x12_ack import AckError, Segment, envelope, segments_of
from nemt.domain.identifiers import valid_npi

__all__ = ["VERSION", "EligibilityInquiry", "Party", "check_x279", "write_270"]

VERSION = "005010X279A1"
SERVICE_TYPE_HEALTH_PLAN = "30"  # EQ01: health benefit plan coverage (the payer answers with every plan)
_LEVELS = {"20": "information source", "21": "information receiver", "22": "subscriber"}
_LEVEL_NAME = {"20": "PR", "21": "1P", "22": "IL"}  # NM101 the level requires
_PARENT = {"20": "", "21": "20", "22": "21"}  # the level of each level's parent (none for the source)


@dataclass(frozen=True)
class Party:
    """An organization of the inquiry: its name and identifier (NM108 qualifier, NM109)."""

    name: str
    identifier: str
    qualifier: str = "PI"  # PI payer identification; XX NPI; SV service provider number


@dataclass(frozen=True)
class EligibilityInquiry:
    """One question to the payer: is this member covered on this date of service? ``trace`` is our TRN02, which
    the 271 carries back."""

    trace: str
    medicaid_id: str
    last_name: str
    first_name: str
    birth_date: dt.date
    date_of_service: dt.date
    payer: Party
    receiver: Party

    def __repr__(self) -> str:  # member data stays out of logs and tracebacks
        return f"EligibilityInquiry(trace={self.trace!r}, date_of_service={self.date_of_service.isoformat()})"


def _nm1(entity: str, party: Party) -> str:
    return f"NM1*{entity}*2*{_text(party.name, 60)}*****{party.qualifier}*{_text(party.identifier, 80)}"


def _check_inquiry(inquiry: EligibilityInquiry) -> None:
    if not inquiry.trace.isalnum() or len(inquiry.trace) > 50:
        raise X12WriteError("the trace number (TRN02) is 1 to 50 letters and digits")
    if not _text(inquiry.medicaid_id, 80) or not _text(inquiry.last_name, 60):
        raise X12WriteError("the subscriber's Medicaid ID and last name are required (loop 2100C NM1)")
    for party in (inquiry.payer, inquiry.receiver):
        if not _text(party.identifier, 80) or not _text(party.name, 60):
            raise X12WriteError("the payer and the information receiver need a name and an identifier (NM1)")
        if party.qualifier == "XX" and not valid_npi(party.identifier):
            raise X12WriteError("the information receiver's NPI fails its check digit")


def write_270(inquiry: EligibilityInquiry, *, originator: str, sender: str, receiver: str,
              interchange_control_number: int, group_control_number: int, created_at: dt.datetime) -> str:
    """The 270 interchange for one member and date of service. ``originator`` is TRN03 (10 characters: ``9`` and
    our identifier). Checked by :func:`check_x279` before it is returned."""
    _check_inquiry(inquiry)
    originator = _text(originator, 10)
    if len(originator) != 10:
        raise X12WriteError("TRN03 (originating company identifier) is 10 characters")
    first = _text(inquiry.first_name, 35)
    body = [
        f"ST*270*0001*{VERSION}",
        f"BHT*0022*13*{inquiry.trace}*{created_at:%Y%m%d}*{created_at:%H%M}",
        "HL*1**20*1", _nm1("PR", inquiry.payer),
        "HL*2*1*21*1", _nm1("1P", inquiry.receiver),
        "HL*3*2*22*0",
        f"TRN*1*{inquiry.trace}*{originator}",
        f"NM1*IL*1*{_text(inquiry.last_name, 60)}*{first}****MI*{_text(inquiry.medicaid_id, 80)}",
        f"DMG*D8*{inquiry.birth_date:%Y%m%d}",
        f"DTP*291*D8*{inquiry.date_of_service:%Y%m%d}",
        f"EQ*{SERVICE_TYPE_HEALTH_PLAN}",
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    text = envelope(body, functional_id="HS", version=VERSION, sender=sender, receiver=receiver,
                    interchange_control_number=interchange_control_number,
                    group_control_number=group_control_number, created_at=created_at)
    ok, problems = check_x279(text)
    if not ok:  # pragma: no cover - the writer's own output; a failure here is a bug
        raise X12WriteError(f"the 270 fails its structure check: {problems[0]}")
    return text


# --- the structure check (270 and 271) --------------------------------------------------------------------------


def _where(segment: Segment) -> str:
    return f"segment {segment.position} ({segment.id})"


def _envelope_problems(segments: list[Segment]) -> list[str]:
    isa, iea = segments[0], segments[-1]
    problems = []
    if len(isa.elements) != 17:
        problems.append(f"{_where(isa)}: the ISA must have 16 elements")
    elif isa.get(12) != "00501":
        problems.append(f"{_where(isa)}: ISA12 must be 00501")
    if iea.id != "IEA":
        return [*problems, f"{_where(iea)}: the interchange must end with an IEA"]
    groups = [s for s in segments if s.id == "GS"]
    if iea.get(1).strip() != str(len(groups)) or iea.get(2).strip() != isa.get(13).strip():
        problems.append(f"{_where(iea)}: IEA01 must count the groups and IEA02 repeat ISA13")
    return problems


def _group_problems(segments: list[Segment], kinds: dict[str, str]) -> list[str]:
    """GS … GE and ST … SE: versions, counts, control numbers."""
    problems: list[str] = []
    gs: Segment | None = None
    st: Segment | None = None
    sets = 0
    for segment in segments[1:-1]:
        if segment.id == "GS":
            gs, sets = segment, 0
            if segment.get(8).strip() != VERSION or segment.get(1).strip() not in kinds.values():
                problems.append(f"{_where(segment)}: GS01 must be {' or '.join(kinds.values())} and GS08 {VERSION}")
        elif segment.id == "ST":
            st, sets = segment, sets + 1
            kind = segment.get(1).strip()
            if gs is None or kinds.get(kind) != gs.get(1).strip() or segment.get(3).strip() != VERSION:
                problems.append(f"{_where(segment)}: ST01 must be {' or '.join(kinds)} (its group's GS01 "
                                f"{' or '.join(kinds.values())}) and ST03 {VERSION}")
        elif segment.id == "SE":
            if st is None or segment.get(1).strip() != str(segment.position - st.position + 1) \
                    or segment.get(2).strip() != st.get(2).strip():
                problems.append(f"{_where(segment)}: SE01 must count the transaction's segments and SE02 repeat ST02")
            st = None
        elif segment.id == "GE":
            if gs is None or st is not None or segment.get(1).strip() != str(sets) \
                    or segment.get(2).strip() != gs.get(6).strip():
                problems.append(f"{_where(segment)}: GE01 must count the transaction sets and GE02 repeat GS06")
            gs = None
        elif st is None:
            problems.append(f"{_where(segment)}: a segment outside a transaction set")
    return problems


def _hierarchy_problems(segments: list[Segment]) -> list[str]:
    """Each transaction: HL levels 20, 21, 22 in order, parents known, each level's NM1 right after its HL (the
    subscriber level's after its TRN in a 270)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    expected = "20"
    for n, segment in enumerate(segments):
        if segment.id == "ST":
            seen, expected = {}, "20"
        if segment.id != "HL":
            continue
        number, parent, level = (segment.get(i).strip() for i in (1, 2, 3))
        parent_level = seen.get(parent) if parent else ""
        if level not in _LEVELS or level < expected or parent_level != _PARENT[level]:
            problems.append(f"{_where(segment)}: the hierarchy must go information source (20), information "
                            "receiver (21), subscriber (22), each under the one before")
            continue
        seen[number], expected = level, level
        following = [s for s in segments[n + 1:n + 4] if s.id not in ("TRN",)]
        if not following or following[0].id != "NM1" or following[0].get(1).strip() != _LEVEL_NAME[level]:
            problems.append(f"{_where(segment)}: the {_LEVELS[level]} level needs its NM1*{_LEVEL_NAME[level]}")
    if not problems and "22" not in seen.values():
        problems.append("segment 1 (ISA): the transaction has no subscriber level (HL 22)")
    return problems


def check_x279(text: str, kinds: dict[str, str] | None = None) -> tuple[bool, list[str]]:
    """The structure check of a 270 or 271 interchange (see the module docstring): ``(ok, problems)``, each problem
    naming its segment. ``kinds`` maps ST01 to GS01 (both 270 and 271 by default)."""
    try:
        segments = segments_of(text)
    except AckError as exc:
        return False, [f"{exc.path}: {exc.message}"]
    kinds = kinds or {"270": "HS", "271": "HB"}
    problems = _envelope_problems(segments)
    if not problems:
        problems = _group_problems(segments, kinds) or _hierarchy_problems(segments)
    return not problems, problems
