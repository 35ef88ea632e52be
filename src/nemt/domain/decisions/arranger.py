"""Who arranges the ride: Colorado by home county (or the medical facility for its urgent trips), Connecticut by
the broker whose contract covers the appointment date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from nemt.domain.decisions.values import Facts
from nemt.domain.decisions.words import day_words


def _normalized_county(name: str) -> str:
    name = " ".join(name.split()).casefold()
    return name[: -len(" county")] if name.endswith(" county") else name


def in_broker_counties(county: str, policy: Any) -> bool:
    """CO (NEMT Administration): whether a county is one of the broker (SDE) counties of the policy."""
    counties = {_normalized_county(c) for c in policy.get("administration.broker_counties", [])}
    return _normalized_county(county or "") in counties


def arrangement(f: Facts, urgent: bool) -> tuple[str, str]:
    """Who arranges the ride (the contract's ``arranged_by`` value) and why, in plain words.

    CO (NEMT Administration; Prior Authorization; Urgent NEMT): the medical facility for its own urgent requests
    from the effective date on; otherwise the SDE in the broker counties, an NEMT provider elsewhere.
    CT (NEMT Contract (updated December 7, 2017)): the broker whose contract period covers the appointment date;
    before the first period the first broker, after the last period the last (no case falls outside)."""
    broker = broker_of(f)
    if broker is not None:
        period = f"from {day_words(broker['from'])} through {day_words(broker['through'])}"
        if broker["from"] <= f.date_of_service <= broker["through"]:
            reason = f"{broker['name']} is the broker for appointments {period}"
        else:
            reason = f"{broker['name']} is the broker of the contract on file nearest the appointment date ({period})"
        if broker.get("phone"):
            reason += f"; {call_broker(broker)}"
        return str(broker["name"]), reason + "."
    if (
        urgent
        and f.request.requested_by == "medical-facility"
        and f.policy.has("urgent.facility_booking_effective")
        and f.date_of_service >= f.policy.get("urgent.facility_booking_effective")
    ):
        since = day_words(f.policy.get("urgent.facility_booking_effective"))
        return str(f.policy.get("urgent.facility_arranger")), (
            f"The medical facility asked for this urgent ride: since {since} medical facilities schedule their "
            "urgent rides directly with a transportation provider.")
    county = _county_words(f.member.home.county)
    if in_broker_counties(f.member.home.county, f.policy):
        name = f.policy.get("administration.broker_name", "the State Designated Entity")
        return str(f.policy.get("administration.broker_arranger")), (
            f"The member lives in {county}, one of the broker's counties: {name}, the State Designated Entity "
            "(SDE), arranges the ride.")
    return str(f.policy.get("administration.non_broker_arranger")), (
        f"The member lives in {county}, outside the broker's counties: an enrolled NEMT provider arranges the ride.")


def _county_words(county: str) -> str:
    name = " ".join((county or "").split())
    if not name:
        return "a county outside the broker's area"
    return name if name.casefold().endswith(" county") else f"{name} County"


def call_broker(broker: Mapping[str, Any] | None) -> str:
    """What a member is told to do, in words: "call Veyo at 1-855-478-7350" (the broker of the appointment date;
    CT NEMT Contract: "the new telephone number to call is ..."), or "call the broker" without a number on file."""
    if broker and broker.get("phone"):
        return f"call {broker['name']} at {broker['phone']}"
    return "call the broker"


def broker_of(f: Facts) -> Mapping[str, Any] | None:
    """CT (NEMT Contract (updated December 7, 2017)): the broker table whose contract period covers the appointment
    date; before the first period the first broker, after the last period the last. None for a program without
    ``brokers`` (Colorado)."""
    brokers = f.policy.get("brokers", None)
    if not brokers:
        return None
    return _broker(brokers, f.date_of_service)


def _broker(brokers: Iterable[Mapping[str, Any]], date_of_service: dt.date) -> Mapping[str, Any]:
    ordered = sorted(brokers, key=lambda b: b["from"])
    for broker in ordered:
        if broker["from"] <= date_of_service <= broker["through"]:
            return broker
    return ordered[0] if date_of_service < ordered[0]["from"] else ordered[-1]
