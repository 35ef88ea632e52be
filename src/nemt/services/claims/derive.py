"""The claims of a provider's completed legs on some dates, as :mod:`nemt.billing` computes them: the legs' trip
logs as billing values, the claims (priced) and their edits, the shared rides and the timely-filing limit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nemt.billing import claim_rules
from nemt.billing.claim_rules import Edit, build_claims, timely_filing_deadline
from nemt.billing.fees import FeeScheduleError, load_fee_schedule, price_claims
from nemt.billing.trip_log import TripLogLeg
from nemt.domain import documents
from nemt.policy import Policy
from nemt.services.claims.common import TIMELY_FILING_EDIT
from nemt.services.claims.expenses import billing_entries
from nemt.services.claims.integrity import claim_integrity_edits
from nemt.services.platform.errors import InvalidInput
from nemt.services.rides.on_file import as_rule_document
from nemt.services.trips import billing_leg, logs_of
from nemt.store.models import Expense, Leg, TransportProvider


@dataclass
class Derived:
    """The priced claims of the legs and meals/lodging expenses, the leg of each key, the edits by leg (or expense
    entry) key, the shared-ride followers of each leader, and the expense of each entry key."""

    claims: list[Any]
    leg_of: dict[str, Leg]
    edits: dict[str, list[Edit]]
    followers: dict[str, list[str]]
    expense_of: dict[str, Expense] = field(default_factory=dict)
    holding: frozenset[str] = frozenset()  # the integrity edit codes that hold a claim for review (issue 15)


def billing_legs(uow: Any, provider: TransportProvider, first: dt.date, last: dt.date,
                 policy: Policy) -> list[tuple[Leg, TripLogLeg]]:
    """The provider's completed legs on the dates, as billing values, in trip-log order (date, actual pick-up,
    recording order)."""
    legs = uow.claims.completed_legs(provider.id, first, last)
    logs = logs_of(uow, [leg.id for leg in legs])
    forms: dict[int, list[documents.Document]] = {}  # the members' documents, read once per member
    out = []
    for leg in legs:
        vehicle, driver = uow.trip_logs.assignment(leg)
        out.append((leg, billing_leg(leg, leg.trip, logs[leg.id], member=leg.trip.member, vehicle=vehicle,
                                     driver=driver, rendering_npi=provider.npi, policy=policy,
                                     form_on_file=_form_on_file(uow, leg, policy, forms))))
    out.sort(key=lambda pair: (pair[1].date_of_service, pair[1].pickup.time is None,
                               pair[1].pickup.time or dt.time(), pair[0].id))
    return out


def _form_on_file(uow: Any, leg: Leg, policy: Policy, cache: dict[int, list[documents.Document]]) -> bool:
    """The member's 25-mile verification form for the trip's destination is on file for the leg's date (both legs
    of a round trip serve the one appointment); only where the program has the 25-mile rule."""
    if not policy.has("distance"):
        return False
    trip = leg.trip
    if trip.member_id not in cache:
        cache[trip.member_id] = [as_rule_document(r) for r in uow.documents.of_member(trip.member_id)]
    destination = documents.destination_token(trip.destination_provider_id, trip.destination_name,
                                              trip.destination_zip)
    return documents.form_for_trip(cache[trip.member_id], destination, leg.service_date) is not None


def _price(claims: Any, policy: Policy) -> list[Any]:
    try:
        schedule = load_fee_schedule(policy)
    except FeeScheduleError as exc:
        raise InvalidInput(str(exc), field="fee_schedule.file", rule=policy.cite("fee_schedule")) from None
    return list(price_claims(claims, schedule, strict=False))


def _followers(pairs: list[tuple[Leg, TripLogLeg]], policy: Policy) -> dict[str, list[str]]:
    """Shared rides: the followers of a group ride on its leader's claim (Exclusions, last paragraph)."""
    groups: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for _, tl in pairs:
        if tl.shared_ride_group and claim_rules.leg_exclusion(tl, policy) is None:
            groups[(tl.shared_ride_group, tl.date_of_service)].append(tl.leg_id)
    return {members[0]: members[1:] for members in groups.values()}


def _timely_filing(edits: dict[str, list[Edit]], leg_of: dict[str, Any], policy: Policy, today: dt.date) -> None:
    """The timely-filing edit on each leg (or meals/lodging expense) filed after the limit."""
    for leg_key, leg in leg_of.items():
        deadline = timely_filing_deadline(leg.service_date, policy)
        if today > deadline:
            edits[leg_key].append(Edit(
                TIMELY_FILING_EDIT, leg_key,
                f"filed after the timely-filing limit of {policy.get('timely_filing.days')} days from the date of "
                f"service (last day {deadline.isoformat()})", policy.cite("timely_filing")))


def derive(uow: Any, provider: TransportProvider, first: dt.date, last: dt.date, policy: Policy,
           today: dt.date) -> Derived:
    """Claims (priced) and edits of all completed legs of the provider on the dates, billed or not: repeat
    modifiers (76/77) and shared rides come out as ``nemt bill`` gives them for the whole day."""
    pairs = billing_legs(uow, provider, first, last, policy)
    expenses = billing_entries(uow, provider.id, provider.npi, first, last)  # Ancillary Services: Meals/Lodging
    batch = build_claims([tl for _, tl in pairs], [entry for _, entry in expenses], policy)
    priced = _price(batch.claims, policy)
    leg_of = {tl.leg_id: leg for leg, tl in pairs}
    edits: dict[str, list[Edit]] = defaultdict(list)
    for edit in batch.edits:
        edits[edit.ref].append(edit)
    _timely_filing(edits, {**leg_of, **{e.entry_id: row for row, e in expenses}}, policy, today)
    followers = _followers(pairs, policy)
    found, holding = claim_integrity_edits(uow, provider.id, list(leg_of.values()), (first, last), policy,
                                           {f for group in followers.values() for f in group})
    for edit in found:  # the integrity edits (issue 15): shown on the claim; those in `holding` hold it
        edits[edit.ref].append(edit)
    return Derived(priced, leg_of, edits, followers, {e.entry_id: row for row, e in expenses}, holding=holding)
