"""Who arranges the ride: Colorado by home county (or the medical facility for its urgent trips), Connecticut by
the broker whose contract covers the appointment date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from nemt.domain.decisions.values import Facts


def _normalized_county(name: str) -> str:
    name = " ".join(name.split()).casefold()
    return name[: -len(" county")] if name.endswith(" county") else name


def arranged_by(f: Facts, urgent: bool) -> str:
    """CO (NEMT Administration; Prior Authorization; Urgent NEMT): the medical facility for its own urgent requests
    from the effective date on; otherwise the SDE in the broker counties, an NEMT provider elsewhere.
    CT (NEMT Contract (updated December 7, 2017)): the broker whose contract period covers the appointment date;
    before the first period the first broker, after the last period the last (no case falls outside)."""
    brokers = f.policy.get("brokers", None)
    if brokers:
        return _broker(brokers, f.date_of_service)
    if (
        urgent
        and f.request.requested_by == "medical-facility"
        and f.policy.has("urgent.facility_booking_effective")
        and f.date_of_service >= f.policy.get("urgent.facility_booking_effective")
    ):
        return str(f.policy.get("urgent.facility_arranger"))
    counties = {_normalized_county(c) for c in f.policy.get("administration.broker_counties")}
    if _normalized_county(f.member.home.county) in counties:
        return str(f.policy.get("administration.broker_arranger"))
    return str(f.policy.get("administration.non_broker_arranger"))


def _broker(brokers: Iterable[Mapping[str, Any]], date_of_service: dt.date) -> str:
    """CT (NEMT Contract (updated December 7, 2017)): the broker whose contract period covers the date; before the
    first period the first broker, after the last period the last."""
    ordered = sorted(brokers, key=lambda b: b["from"])
    for broker in ordered:
        if broker["from"] <= date_of_service <= broker["through"]:
            return str(broker["name"])
    return str(ordered[0]["name"] if date_of_service < ordered[0]["from"] else ordered[-1]["name"])
