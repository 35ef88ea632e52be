"""Claims from one billing provider's trip log: ``build_claims(legs, ancillary, policy) -> ClaimBatch``.

A pure function of plain values. Every code, modifier, place of service and threshold comes from the program
policy (``policy/programs/co.toml``); the sections of the Health First Colorado NEMT Billing Manual each rule rests on
are named next to the rule and carried on every :class:`Edit`. The steps follow the acceptance README, Suite 2,
"How claims are built" 1–8.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from nemt.billing.trip_log import AncillaryEntry, Member, TripLogLeg
from nemt.domain.dates import age_on
from nemt.policy import Policy, PolicyError

__all__ = [
    "EDIT_SECTIONS",
    "ClaimLine",
    "Claim",
    "Edit",
    "ClaimBatch",
    "build_claims",
    "lines_for_leg",
    "leg_exclusion",
    "escort_is_covered",
    "ancillary_exclusion",
    "edit_message",
    "missing_attachment_fields",
    "timely_filing_deadline",
]

# Edit code -> the manual's section(s) it rests on (acceptance README, "Edit codes").
EDIT_SECTIONS: Mapping[str, str] = {
    "not-billable-cancellation": "Exclusions",
    "not-billable-no-show": "Exclusions",
    "member-not-in-vehicle": "Exclusions",
    "metered-taxi-not-billable": "Exclusions",
    "shared-ride-billed-under-one-id": "Exclusions; Personal Vehicle Mileage Reimbursement",
    "extra-passenger-not-billable": "Exclusions",
    "waiting-time-not-billable": "Exclusions",
    "mileage-over-52-units-needs-attachment": "25 Mile or Longer Trips",
    "attachment-missing-denied": "25 Mile or Longer Trips",
    "attachment-insufficient-denied": "25 Mile or Longer Trips",
    "meals-lodging-not-charged": "Ancillary Services: Meals/Lodging",
    "ancillary-unit-limit": "Ancillary Services: Meals/Lodging; Ancillary Services",
    "escort-ancillary-not-covered": "Ancillary Services: Meals/Lodging",
    "meals-lodging-inpatient-stay": "Ancillary Services: Meals/Lodging",
}

_MESSAGES: Mapping[str, str] = {
    "not-billable-cancellation": "cancelled leg: cancellations are not an NEMT benefit; not billed",
    "not-billable-no-show": "no-show: nothing was transported (charges while the member is not in the vehicle"
    " and response calls with no transport are excluded); not billed",
    "member-not-in-vehicle": "the person transported was not aboard: charges incurred while the member is not"
    " in the vehicle are excluded; not billed",
    "metered-taxi-not-billable": "metered taxi services are excluded; not billed",
    "shared-ride-billed-under-one-id": "shared vehicle trip: only one Health First Colorado ID may be used for"
    " billing; billed under the group's first leg",
    "extra-passenger-not-billable": "additional passengers (or escorts of a member who is neither a child nor an"
    " at-risk adult) are excluded; not billed",
    "waiting-time-not-billable": "waiting time is excluded; nothing billed for the wait",
    "mileage-over-52-units-needs-attachment": "mileage units exceed {limit}: the claim is suspended for review and"
    " needs the 25-mile attachment",
    "attachment-missing-denied": "mileage units exceed {limit} and no attachment is available: the claim will be"
    " denied",
    "attachment-insufficient-denied": "mileage units exceed {limit} and the trip log lacks attachment field(s)"
    " {fields}: the claim will be denied",
    "meals-lodging-not-charged": "meals/lodging the person was not charged for are not reimbursed",
    "ancillary-unit-limit": "meals and lodging are limited to {units} unit(s) per day each, per member or escort",
    "escort-ancillary-not-covered": "an escort's meals and lodging are covered only when the member is a child or an"
    " at-risk adult; not billed",
    "meals-lodging-inpatient-stay": "out-of-state meals and lodging are covered only when they are not part of an"
    " inpatient stay; not billed",
}


@dataclass(frozen=True)
class ClaimLine:
    """One detail line: always a single date of service (Dates of Services; Span Billing)."""

    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    date_of_service: dt.date
    place_of_service: str
    rendering_provider_npi: str
    ref: str  # the leg_id or entry_id the line comes from
    pickup_address: str | None = None
    dropoff_address: str | None = None
    charge: Decimal | None = None
    # A per diem line's receipt amount: the fee schedule's rate is paid "up to" it (Ancillary Services: Meals/Lodging).
    charge_limit: Decimal | None = None

    @property
    def from_date(self) -> dt.date:
        return self.date_of_service

    @property
    def to_date(self) -> dt.date:
        return self.date_of_service


@dataclass(frozen=True)
class Claim:
    """One claim per billing Medicaid ID and place of service (Place of Service Codes; Diagnosis Codes)."""

    member_id: str = field(repr=False)
    place_of_service: str
    diagnosis: str
    lines: tuple[ClaimLine, ...]
    member_name: str = field(default="", repr=False)
    member_birth_date: dt.date | None = field(default=None, repr=False)
    member_sex: str = field(default="U", repr=False)  # 837P DMG03: F, M, or U (unknown)

    @property
    def total_charge(self) -> Decimal | None:
        charges: list[Decimal] = []
        for line in self.lines:
            if line.charge is None:
                return None
            charges.append(line.charge)
        return sum(charges, Decimal("0.00"))


@dataclass(frozen=True)
class Edit:
    code: str
    ref: str
    message: str
    citation: str


@dataclass(frozen=True)
class ClaimBatch:
    claims: tuple[Claim, ...]
    edits: tuple[Edit, ...]


# --------------------------------------------------------------------------------------------------------------
# Step 1 — legs that are not billed (Exclusions)
# --------------------------------------------------------------------------------------------------------------
def leg_exclusion(leg: TripLogLeg, policy: Policy) -> str | None:
    """The Exclusions edit of a leg that is never billed, before shared rides are looked at; None otherwise."""
    if leg.status == "cancelled":  # Exclusions: "Cancellations."
        return "not-billable-cancellation"
    if leg.status == "no-show":  # Exclusions: "Response calls when ... no transportation is needed or provided."
        return "not-billable-no-show"
    if not leg.member_in_vehicle:  # Exclusions: "Charges incurred while the member is not in the vehicle"
        return "member-not-in-vehicle"
    # Exclusions: "Metered taxi services." The mode table says whether its metered service is billable.
    if leg.metered and policy.mode(leg.mode).get("metered_billable", True) is False:
        return "metered-taxi-not-billable"
    return None


def _shared_ride_key(leg: TripLogLeg) -> tuple[str, dt.date] | None:
    return (leg.shared_ride_group, leg.date_of_service) if leg.shared_ride_group else None


# --------------------------------------------------------------------------------------------------------------
# Step 3 — lines of a billed leg (Procedure Coding and the procedure code tables)
# --------------------------------------------------------------------------------------------------------------
def _trip_code_and_modifiers(leg: TripLogLeg, mode: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The trip line's code and table modifiers. A mode either has one ``trip_code`` (public transit then takes
    its modifiers from ``service_levels``) or a code per service level (ground and air ambulance)."""
    levels = mode.get("service_levels")
    code = mode.get("trip_code")
    modifiers: tuple[str, ...] = tuple(mode.get("trip_modifiers", ()))
    if isinstance(levels, Mapping) and leg.service_level is not None:
        level_value = levels.get(leg.service_level)
        if isinstance(level_value, str):  # Ground Ambulance / Air Ambulance: a code per level
            code = level_value
        elif isinstance(level_value, list):  # Public/Mass Transportation: modifiers per ticket type
            modifiers = tuple(level_value)
    return code, modifiers


def _mileage_code(leg: TripLogLeg, mode: Mapping[str, Any]) -> str | None:
    per_level = mode.get("mileage_codes")  # Personal Vehicle Mileage Reimbursement: volunteer / individual
    if isinstance(per_level, Mapping):
        return per_level.get(leg.service_level) if leg.service_level else None
    return mode.get("mileage_code")


def escort_is_covered(leg: TripLogLeg, policy: Policy) -> bool:
    """Ancillary Services: Escort — "The member is a child or an at-risk adult"; a child is under 18 on the date
    of service (Exclusions: "additional passengers except when acting as an escort for a child or at-risk
    adult")."""
    return member_needs_escort(leg.member, leg.date_of_service, policy)


def member_needs_escort(member: Member, date_of_service: dt.date, policy: Policy) -> bool:
    """A child (under ``escort.adult_age`` on the date of service) or an at-risk adult: the members whose escort's
    trip (Ancillary Services: Escort) and meals or lodging (Ancillary Services: Meals/Lodging) are covered."""
    return member.at_risk_adult or age_on(member.birth_date, date_of_service) < policy.get("escort.adult_age")


def lines_for_leg(leg: TripLogLeg, riders: int, policy: Policy) -> list[ClaimLine]:
    """Trip, mileage and escort lines of one billed leg, before repeat modifiers (steps 3–4).

    Trip codes are one unit per one-way leg except where the mode bills per rider (A0120 + TK: "Use the
    appropriate number of units to identify the actual number of riders", Procedure Coding); mileage codes
    bill ``loaded_miles`` units and only when miles were driven loaded.
    """
    mode = policy.mode(leg.mode)
    place = str(mode["place_of_service"])

    def line(code: str, modifiers: Sequence[str], units: int) -> ClaimLine:
        return ClaimLine(
            hcpcs=code, modifiers=tuple(modifiers), units=units, date_of_service=leg.date_of_service,
            place_of_service=place, rendering_provider_npi=leg.rendering_provider_npi, ref=leg.leg_id,
            pickup_address=leg.pickup.address, dropoff_address=leg.dropoff.address,
        )

    lines: list[ClaimLine] = []
    trip_code, trip_modifiers = _trip_code_and_modifiers(leg, mode)
    if trip_code:
        units = riders if mode.get("units") == "riders" else 1
        lines.append(line(trip_code, trip_modifiers, units))
    mileage_code = _mileage_code(leg, mode)
    if mileage_code and leg.loaded_miles > 0:
        lines.append(line(mileage_code, (), leg.loaded_miles))
    # Ancillary Services: Escort — T2001 "One Way Trip", one unit per covered escort. Personal vehicle mileage is
    # "reimbursed per vehicle, without regard to the number of members or escorts in the vehicle".
    if leg.escorts and not mode.get("per_vehicle", False) and escort_is_covered(leg, policy):
        lines.append(line(policy.get("escort.hcpcs"), (), len(leg.escorts)))
    return lines


def _has_unbillable_passengers(leg: TripLogLeg, policy: Policy) -> bool:
    """Exclusions: "Charges for additional passengers except when acting as an escort for a child or at-risk
    adult." Not applied to per-vehicle mileage."""
    if policy.mode(leg.mode).get("per_vehicle", False):
        return False
    if leg.additional_passengers:
        return True
    return bool(leg.escorts) and not escort_is_covered(leg, policy)


# --------------------------------------------------------------------------------------------------------------
# Step 7 — 25 Mile or Longer Trips: more than 52 mileage units
# --------------------------------------------------------------------------------------------------------------
def _attachment_values(leg: TripLogLeg) -> Mapping[str, object]:
    """The trip-log fields the 25-mile attachment must carry, by the names in ``mileage_review.attachment_fields``."""
    return {
        "pickup_address": leg.pickup.address,
        "dropoff_address": leg.dropoff.address,
        "date_of_service": leg.date_of_service,
        "pickup_time": leg.pickup.time,
        "dropoff_time": leg.dropoff.time,
        "member_name": leg.member.name,
        "member_id": leg.member.medicaid_id,
        "identity_verified": leg.identity_verified or None,
        "trip_confirmed_by": leg.trip_confirmed_by,
        "driver": leg.driver,
        "vehicle_id": leg.vehicle_id,
    }


def missing_attachment_fields(leg: TripLogLeg, policy: Policy) -> list[str]:
    values = _attachment_values(leg)
    missing = []
    for name in policy.get("mileage_review.attachment_fields"):
        if name not in values:
            raise PolicyError(policy.path, "mileage_review.attachment_fields", f"unknown trip-log field {name!r}")
        value = values[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing


# --------------------------------------------------------------------------------------------------------------
# The whole batch
# --------------------------------------------------------------------------------------------------------------
class _EditLog:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.edits: list[Edit] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, ref: str, **details: object) -> None:
        if (code, ref) in self._seen:
            return
        self._seen.add((code, ref))
        message = _MESSAGES[code].format(**details) if details else _MESSAGES[code]
        self.edits.append(Edit(code, ref, message, self.policy.cite(EDIT_SECTIONS[code])))


def build_claims(
    legs: Iterable[TripLogLeg], ancillary: Iterable[AncillaryEntry], policy: Policy
) -> ClaimBatch:
    """Claims and edits of one billing provider's legs and meals/lodging entries (README Suite 2, steps 1–8)."""
    legs = list(legs)
    ancillary = list(ancillary)
    edits = _EditLog(policy)
    billed, riders_of = _billed_legs(legs, policy, edits)  # steps 1–2
    lines_of = _leg_lines(billed, riders_of, policy, edits)  # steps 3–5
    _add_repeat_modifiers(billed, lines_of, policy)  # step 6
    _review_long_mileage(billed, lines_of, policy, edits)  # step 7
    ancillary_lines = _ancillary_lines(ancillary, policy, edits)  # step 8
    claims = _assemble_claims(billed, lines_of, ancillary_lines, policy.get("claims.diagnosis"))
    return ClaimBatch(claims=claims, edits=tuple(edits.edits))


def _billed_legs(
    legs: Sequence[TripLogLeg], policy: Policy, edits: _EditLog
) -> tuple[list[TripLogLeg], dict[str, int]]:
    """Step 1: legs not billed (Exclusions). A shared ride's members are the group's legs that were actually
    carried; the first of them in input order carries the vehicle trip (Exclusions, last paragraph). Returns the
    billed legs in input order and the number of riders each carries."""
    excluded: dict[str, str] = {}
    carried_by_group: dict[tuple[str, dt.date], list[TripLogLeg]] = defaultdict(list)
    for leg in legs:
        reason = leg_exclusion(leg, policy)
        if reason:
            excluded[leg.leg_id] = reason
        elif (key := _shared_ride_key(leg)) is not None:
            carried_by_group[key].append(leg)
    billed: list[TripLogLeg] = []
    riders_of: dict[str, int] = {}
    for leg in legs:
        if leg.leg_id in excluded:
            edits.add(excluded[leg.leg_id], leg.leg_id)
            continue
        key = _shared_ride_key(leg)
        group = carried_by_group[key] if key else [leg]
        if group[0] is not leg:
            edits.add("shared-ride-billed-under-one-id", leg.leg_id)
            continue
        billed.append(leg)
        riders_of[leg.leg_id] = len(group)
    return billed, riders_of


def _leg_lines(
    billed: Sequence[TripLogLeg], riders_of: Mapping[str, int], policy: Policy, edits: _EditLog
) -> dict[str, list[ClaimLine]]:
    """Steps 3–5: lines, escorts/passengers, waiting time (Exclusions: "Waiting time.")."""
    lines_of: dict[str, list[ClaimLine]] = {}
    for leg in billed:
        lines_of[leg.leg_id] = lines_for_leg(leg, riders_of[leg.leg_id], policy)
        if _has_unbillable_passengers(leg, policy):
            edits.add("extra-passenger-not-billable", leg.leg_id)
        if leg.wait_minutes > 0:  # Exclusions: "Waiting time."
            edits.add("waiting-time-not-billable", leg.leg_id)
    return lines_of


def _add_repeat_modifiers(
    billed: Sequence[TripLogLeg], lines_of: dict[str, list[ClaimLine]], policy: Policy
) -> None:
    """Step 6: Multiple Trips in the Same Day — the member's legs of one date by pick-up time; every line of each
    later leg takes 76 (same rendering provider as the first) or 77 (another), after the table modifiers."""
    same_provider = policy.get("claims.repeat_same_provider_modifier")
    other_provider = policy.get("claims.repeat_other_provider_modifier")
    by_member_day: dict[tuple[str, dt.date], list[tuple[int, TripLogLeg]]] = defaultdict(list)
    for position, leg in enumerate(billed):
        by_member_day[(leg.billing_id, leg.date_of_service)].append((position, leg))
    for day_legs in by_member_day.values():
        day_legs.sort(key=lambda item: (item[1].pickup.time is None, item[1].pickup.time or dt.time(), item[0]))
        first = day_legs[0][1]
        for _, leg in day_legs[1:]:
            modifier = same_provider if leg.rendering_provider_npi == first.rendering_provider_npi else other_provider
            lines_of[leg.leg_id] = [
                _with_modifier(line, modifier) for line in lines_of[leg.leg_id]
            ]


def _review_long_mileage(
    billed: Sequence[TripLogLeg], lines_of: Mapping[str, list[ClaimLine]], policy: Policy, edits: _EditLog
) -> None:
    """Step 7: 25 Mile or Longer Trips — per A0425/S0209 line over the unit limit."""
    review_codes = set(policy.get("mileage_review.codes"))
    limit = policy.get("mileage_review.max_units_without_review")
    for leg in billed:
        if any(line.hcpcs in review_codes and line.units > limit for line in lines_of[leg.leg_id]):
            edits.add("mileage-over-52-units-needs-attachment", leg.leg_id, limit=limit)
            if not leg.attachment_25mi:
                edits.add("attachment-missing-denied", leg.leg_id, limit=limit)
            elif missing := missing_attachment_fields(leg, policy):
                edits.add("attachment-insufficient-denied", leg.leg_id, limit=limit, fields=", ".join(missing))


def _assemble_claims(
    billed: Sequence[TripLogLeg],
    lines_of: Mapping[str, list[ClaimLine]],
    ancillary_lines: Sequence[tuple[AncillaryEntry, ClaimLine]],
    diagnosis: str,
) -> tuple[Claim, ...]:
    """Claims: one per billing Medicaid ID and place of service (Place of Service Codes: 41 land, 42 air — the mode
    table's value), in order of first appearance; R68.89 on every claim (Diagnosis Codes: "Enter code R68.89 for
    all claims"), written without the decimal point as in the 837P."""
    claims: dict[tuple[str, str], list[ClaimLine]] = {}
    people: dict[str, tuple[str, dt.date | None]] = {}
    for leg in billed:
        people.setdefault(leg.billing_id, (leg.billing_person_name, leg.billing_person_birth_date))
        for line in lines_of[leg.leg_id]:
            claims.setdefault((leg.billing_id, line.place_of_service), []).append(line)
    for entry, line in ancillary_lines:
        people.setdefault(entry.member.medicaid_id, (entry.member.name, entry.member.birth_date))
        claims.setdefault((entry.member.medicaid_id, line.place_of_service), []).append(line)
    return tuple(
        Claim(
            member_id=member_id, place_of_service=place, diagnosis=diagnosis,
            lines=tuple(sorted(lines, key=lambda ln: ln.date_of_service)),  # stable: keeps trip order in a day
            member_name=people[member_id][0], member_birth_date=people[member_id][1],
        )
        for (member_id, place), lines in claims.items()
        if lines
    )


def timely_filing_deadline(date_of_service: dt.date, policy: Policy) -> dt.date:
    """Last day a claim for ``date_of_service`` may be filed. Timely Filing: the manual defers to the General Provider
    Information Manual; the number of days is the policy's operational value ``timely_filing.days``."""
    return date_of_service + dt.timedelta(days=policy.get("timely_filing.days"))


def _with_modifier(line: ClaimLine, modifier: str) -> ClaimLine:
    return replace(line, modifiers=line.modifiers + (modifier,))


def _ancillary_code(entry: AncillaryEntry, policy: Policy) -> str:
    """Ancillary Services table: A0180 / A0190 member lodging / meals, A0200 / A0210 escort lodging / meals."""
    return str(policy.get(f"ancillary.{entry.person}_{entry.kind}"))


def _ancillary_lines(
    entries: Sequence[AncillaryEntry], policy: Policy, edits: _EditLog
) -> list[tuple[AncillaryEntry, ClaimLine]]:
    """Ancillary Services: Meals/Lodging — "Reimbursement will only be made for meals and lodging that members and
    escorts are actually charged for" and "limited to one unit per day each, per member or escort". An uncharged
    entry is not billed and does not use up the day's unit. "Meals and lodging may be covered for the escort when
    a member is a child or an at-risk adult who requires the escort's continued stay": an escort's entry for any
    other member is not billed either."""
    units_per_day = policy.get("ancillary.units_per_day")
    place = str(policy.get("ancillary.place_of_service"))
    used: dict[tuple[str, dt.date, str, tuple[str, ...]], int] = defaultdict(int)
    out: list[tuple[AncillaryEntry, ClaimLine]] = []
    for entry in entries:
        if (reason := ancillary_exclusion(entry, policy)) is not None:
            edits.add(reason, entry.entry_id)
            continue
        person = ("member",) if entry.person == "member" else ("escort", (entry.escort_name or "").strip().casefold())
        key = (entry.member.medicaid_id, entry.date_of_service, entry.kind, person)
        if used[key] >= units_per_day:
            edits.add("ancillary-unit-limit", entry.entry_id, units=units_per_day)
            continue
        used[key] += 1
        out.append((entry, ClaimLine(
            hcpcs=_ancillary_code(entry, policy), modifiers=(), units=1, date_of_service=entry.date_of_service,
            place_of_service=place, rendering_provider_npi=entry.rendering_provider_npi, ref=entry.entry_id,
            charge_limit=entry.amount,
        )))
    return out


def ancillary_exclusion(entry: AncillaryEntry, policy: Policy) -> str | None:
    """The edit of a meals or lodging entry that is never billed (Ancillary Services: Meals/Lodging), else None: not
    charged ("only ... meals and lodging that members and escorts are actually charged for"), an escort's for a member
    who is neither a child nor an at-risk adult, or out of state as part of an inpatient stay ("Authorized
    out-of-state treatment if meals or lodging is not included as part of an inpatient stay")."""
    if not entry.charged:
        return "meals-lodging-not-charged"
    if entry.person == "escort" and not member_needs_escort(entry.member, entry.date_of_service, policy):
        return "escort-ancillary-not-covered"
    if entry.out_of_state and entry.inpatient_stay:
        return "meals-lodging-inpatient-stay"
    return None


def edit_message(code: str) -> str:
    """The plain sentence of an edit without details (the recording of an expense refuses with the same words)."""
    return _MESSAGES[code]
