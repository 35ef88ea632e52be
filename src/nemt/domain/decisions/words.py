"""Plain words for the values a decision's messages name: numbers rounded as people say them ("253 miles",
"47 h 59 min"), and the vocabulary codes of the contract (plans, needs, modes, urgent reasons) as a person reads
them. The codes stay in the JSON (``reason_codes``, ``mode``); sentences use these words (issue 16: "no vocabulary
codes inside sentences")."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable

# Benefit plans (Member Eligibility; CT overview: "HUSKY Health program").
PLAN_WORDS = {
    "medicaid-state-plan": "Health First Colorado (Medicaid State Plan)",
    "QMB-only": "Qualified Medicare Beneficiary (QMB) only",
    "SLMB-only": "Specified Low-Income Medicare Beneficiary (SLMB) only",
    "QI-1": "Qualifying Individual (QI-1)",
    "OAP-state-only": "Old Age Pension state-only",
    "CHP+": "Child Health Plan Plus (CHP+)",
    "HUSKY": "HUSKY Health (Connecticut Medicaid)",
}

# Written certifications (the needs vocabulary of the acceptance contract), as the statement the professional signs.
NEED_WORDS = {
    "cannot-use-less-costly-modes": "the member cannot use less costly modes of transportation",
    "wheelchair-confined": "the member is confined to a wheelchair",
    "prone-or-supine": "the member must travel lying down (prone or supine)",
    "ambulance-required": "the member needs a ground ambulance",
    "air-ambulance-required": "the member needs an air ambulance",
    "commercial-air-required": "the member needs commercial air travel",
    "train-required": "the member needs train travel",
    "escort-required": "the member needs an escort",
    "second-escort": "a second escort is medically necessary",
    "complex-medical-condition": "complex medical conditions keep the closest provider from accepting the member",
    "caregiver-participation-ordered": "the treating provider ordered the caregiver's participation",
}

URGENT_WORDS = {
    "hospital-discharge": "hospital discharge",
    "missed-pickup-over-1-hour": "the pick-up was missed by more than an hour",
    "critical-unplanned": "a critical, unplanned appointment",
}


MODE_WORDS = {
    "public-transit": "public transit",
    "personal-vehicle-mileage": "personal vehicle (mileage reimbursement)",
    "mobility-ambulatory": "mobility/ambulatory vehicle",
}


def mode_words(mode: str) -> str:
    """``wheelchair-van`` -> "wheelchair van"; ``mobility-ambulatory`` -> "mobility/ambulatory vehicle"."""
    return MODE_WORDS.get(mode, mode.replace("-", " "))


def plan_words(plan: str) -> str:
    return PLAN_WORDS.get(plan, plan.replace("-", " "))


def need_words(need: str) -> str:
    return NEED_WORDS.get(need, need.replace("-", " "))


def urgent_words(reason: str) -> str:
    return URGENT_WORDS.get(reason, reason.replace("-", " "))


def joined(items: Iterable[str], last: str = "and", sep: str = ",") -> str:
    """"a", "a and b", "a, b and c" (``sep=";"``: "a; b; or c" for items that have commas or "and" of their own)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if sep != ",":
        return f"{(sep + ' ').join(items[:-1])}{sep} {last} {items[-1]}"
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def miles(value: float, *, beyond: float | None = None) -> str:
    """Road miles as people say them: whole miles ("253 miles"); one decimal under 10 miles, or when the whole
    number would read as the threshold the distance is compared with (25.3 miles beyond a 25-mile radius)."""
    whole = round(value)
    if value < 10 or (beyond is not None and whole <= beyond < value):
        text = f"{value:.1f}".removesuffix(".0")
    else:
        text = str(whole)
    return f"{text} mile" if text == "1" else f"{text} miles"


def minutes_words(minutes: float, *, rounding: Callable[[float], int] = math.floor, least: int = 0) -> str:
    """``190`` -> "3 h 10 min", "48 h", "35 min": ``minutes`` rounded by ``rounding`` (down, by default), at least
    ``least``. A notice rounds down (47 h 59 min 59 s is not 48 h); a dispatcher's refusal rounds to the nearest
    minute and says at least one (``nemt.scheduling.explain.span``)."""
    whole = max(least, int(rounding(minutes)))
    hours, rest = divmod(whole, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def duration(span: dt.timedelta) -> str:
    """"47 h 59 min", "48 h", "35 min" (rounded down to the minute: 47 h 59 min 59 s is not 48 h)."""
    return minutes_words(span.total_seconds() // 60)


def day_words(day: dt.date) -> str:
    """"January 1, 2018"."""
    return f"{day:%B} {day.day}, {day.year}"
