"""Test-data builders: the payer's 271 and the Department's 834, made with the platform's segment helpers (the
envelope of :mod:`nemt.billing.x12_ack`, the element cleaning of the 837P writer). No payer is reachable from here;
these stand in for its files, and every file they make is checked (pyx12 for the 834, the X279 structure check for
the 271) by the tests that use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from nemt.billing.x12_270 import VERSION as X279
from nemt.billing.x12_834 import VERSION as X220
from nemt.billing.x12_837p import _text
from nemt.billing.x12_ack import envelope

CREATED = dt.datetime(2026, 3, 2, 9, 30)


@dataclass(frozen=True)
class Eb:
    code: str = "1"  # active coverage
    plan: str = "MEDICAID STATE PLAN"
    start: dt.date | None = dt.date(2026, 1, 1)
    end: dt.date | None = None


@dataclass(frozen=True)
class Answer:
    trace: str
    medicaid_id: str
    benefits: Sequence[Eb] = (Eb(),)
    reject: str | None = None  # AAA03


def _eb_segments(eb: Eb) -> list[str]:
    out = [f"EB*{eb.code}*IND*30**{eb.plan}"]
    if eb.start and eb.end:
        out.append(f"DTP*307*RD8*{eb.start:%Y%m%d}-{eb.end:%Y%m%d}")
    elif eb.start:
        out.append(f"DTP*346*D8*{eb.start:%Y%m%d}")
    return out


def build_271(answers: Sequence[Answer], *, icn: int = 501, gcn: int = 501, created_at: dt.datetime = CREATED) -> str:
    """A 271 answering our 270s (one subscriber level per answer)."""
    body = [f"ST*271*0001*{X279}", f"BHT*0022*11*RESP{icn}*{created_at:%Y%m%d}*{created_at:%H%M}",
            "HL*1**20*1", "NM1*PR*2*COLORADO MEDICAL ASSISTANCE PROGRAM*****PI*CO_TXIX",
            "HL*2*1*21*1", "NM1*1P*2*FRONT RANGE RIDE BROKER*****SV*COSDEBROKER"]
    for n, answer in enumerate(answers):
        body += [f"HL*{3 + n}*2*22*0", f"TRN*2*{answer.trace}*9NEMTBROKER"[:40],
                 f"NM1*IL*1*MEMBER*TEST****MI*{answer.medicaid_id}"]
        if answer.reject:
            body.append(f"AAA*N**{answer.reject}*C")
        else:
            for eb in answer.benefits:
                body += _eb_segments(eb)
    body.append(f"SE*{len(body) + 1}*0001")
    return envelope(body, functional_id="HB", version=X279, sender="COMEDASSISTPROG", receiver="COSDEBROKER",
                    interchange_control_number=icn, group_control_number=gcn, created_at=created_at)


@dataclass(frozen=True)
class Span:
    plan: str = "MEDICAID STATE PLAN"
    start: dt.date = dt.date(2026, 1, 1)
    end: dt.date | None = None


@dataclass(frozen=True)
class Enrollee:
    medicaid_id: str
    last_name: str = "Example"
    first_name: str = "Pat"
    birth_date: dt.date = dt.date(1960, 5, 17)
    sex: str = "F"
    address: str = "1570 Grant St"
    city: str = "Denver"
    state: str = "CO"
    zip: str = "80203"
    spans: Sequence[Span] = field(default_factory=lambda: (Span(),))
    maintenance: str = "021"


def _enrollee_segments(e: Enrollee) -> list[str]:
    out = [f"INS*Y*18*{e.maintenance}*XN*A***FT", f"REF*0F*{e.medicaid_id}",
           f"NM1*IL*1*{_text(e.last_name, 60)}*{_text(e.first_name, 35)}****ZZ*{e.medicaid_id}",
           f"N3*{_text(e.address, 55)}", f"N4*{_text(e.city, 30)}*{e.state}*{e.zip}",
           f"DMG*D8*{e.birth_date:%Y%m%d}*{e.sex}"]
    for span in e.spans:
        out += [f"HD*{e.maintenance}**HLT*{span.plan}", f"DTP*348*D8*{span.start:%Y%m%d}"]
        if span.end:
            out.append(f"DTP*349*D8*{span.end:%Y%m%d}")
    return out


def build_834(enrollees: Sequence[Enrollee], *, icn: int = 601, gcn: int = 601,
              created_at: dt.datetime = CREATED) -> str:
    """An 834 from the Department (sponsor) to the broker."""
    body = [f"ST*834*0001*{X220}", f"BGN*00*ENR{icn}*{created_at:%Y%m%d}*{created_at:%H%M}****4",
            "N1*P5*COLORADO DEPT OF HEALTH CARE POLICY AND FINANCING*FI*840644739",
            "N1*IN*COLORADO MEDICAL ASSISTANCE PROGRAM*FI*840644739"]
    for enrollee in enrollees:
        body += _enrollee_segments(enrollee)
    body.append(f"SE*{len(body) + 1}*0001")
    return envelope(body, functional_id="BE", version=X220, sender="COMEDASSISTPROG", receiver="COSDEBROKER",
                    interchange_control_number=icn, group_control_number=gcn, created_at=created_at)
