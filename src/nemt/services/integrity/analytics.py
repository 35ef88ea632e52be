"""The provider analytics for the Department's auditors (issue 15, item 4): per transportation provider and period,
the scores of :func:`nemt.domain.integrity.scores.provider_scores` — onset bursts after dormancy, miles per trip and
riders per vehicle trip against peers in the same counties, repeated long trips to one destination, the share of
unverified legs, overlaps and impossible times — each with the legs behind it, a chart and a CSV.

The legs are the program's completed legs of the period and of the history weeks before it, read through
``uow.integrity`` and folded into :class:`~nemt.domain.integrity.facts.LegFact` values by the same
:func:`nemt.services.claims.integrity.leg_facts` the claim build's integrity edits use. The scores page shows no
member data (audited as one read of the analytics); the legs behind a score do (one audit record per member).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nemt.domain.actors import Actor
from nemt.domain.integrity.facts import LegFact
from nemt.domain.integrity.scores import COMPONENTS, ProviderScore, provider_scores
from nemt.domain.statuses import ACTIVE_CASE_STATUSES
from nemt.policy import load_policy
from nemt.services.claims.integrity import leg_facts
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import TransportProvider

HISTORY_WEEKS = 8
MAX_DAYS = 92  # a quarter: the page answers in seconds on a Colorado-sized month
RULE = "integrity analytics period"
SORTS = ("total", *COMPONENTS)
# The words of each score (table headings, the chart's title, the legs page).
WORDS = {"total": "combined score", "burst": "onset burst (trips per week over history)",
         "miles_per_trip": "miles per trip against peers", "riders_per_vehicle_trip": "riders per vehicle trip "
         "against peers", "repeated_long_trips": "repeated long trips to one destination",
         "unverified_share": "share of unverified legs", "overlaps": "overlapping legs",
         "impossible": "legs with impossible times"}
CSV_COLUMNS = ("provider_npi", "provider", "trips", "weekly_trips", "history_weekly_trips", *COMPONENTS, "total",
               "case", "case_status")


@dataclass
class ProviderRow:
    npi: str
    name: str
    score: ProviderScore
    case_number: str | None = None
    case_status: str | None = None

    def value(self, component: str) -> float:
        return float(getattr(self.score, component))

    def csv_row(self) -> list[Any]:
        s = self.score
        return [self.npi, self.name, s.trips, s.weekly_trips, s.history_weekly_trips,
                *(getattr(s, c) for c in COMPONENTS), s.total, self.case_number or "", self.case_status or ""]


@dataclass
class Analytics:
    program: str
    first: dt.date
    last: dt.date
    sort: str
    rows: list[ProviderRow] = field(default_factory=list)

    def chart_items(self) -> list[tuple[str, float]]:
        return [(r.name, r.value(self.sort)) for r in self.rows]

    def csv_rows(self) -> list[list[Any]]:
        return [r.csv_row() for r in self.rows]


@dataclass
class LegsBehind:
    """The legs behind one provider's score: what a reviewer opens."""

    npi: str
    name: str
    component: str
    legs: list[LegFact]


def _check(actor: Actor, first: dt.date, last: dt.date, sort: str, program: str | None) -> str:
    permissions.require(actor, Action.INTEGRITY_READ)
    if last < first:
        raise InvalidInput("the period ends before it starts", field="end", rule=RULE)
    if first - dt.date.min < dt.timedelta(weeks=HISTORY_WEEKS):
        raise InvalidInput("the period starts before any history could be", field="start", rule=RULE)
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days", field="end", rule=RULE)
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort", rule=RULE)
    chosen = actor.program or program
    if chosen is None:
        raise InvalidInput("name the program", field="program", rule="program-based access")
    return chosen


def _facts(uow: Any, program: str, first: dt.date, last: dt.date) -> list[LegFact]:
    legs = uow.integrity.completed_legs(first - dt.timedelta(weeks=HISTORY_WEEKS), last, program=program)
    return leg_facts(uow, legs, load_policy(program))


def _scores(uow: Any, program: str, first: dt.date, last: dt.date) -> tuple[list[ProviderScore], list[LegFact]]:
    facts = _facts(uow, program, first, last)
    return provider_scores(facts, (first, last), HISTORY_WEEKS), facts


def provider_analytics(uow: Any, actor: Actor, first: dt.date, last: dt.date, *, sort: str = "total",
                       program: str | None = None) -> Analytics:
    """Every provider of the program with legs in the period, sorted by ``sort`` (highest first), with its active
    review case if any."""
    program = _check(actor, first, last, sort, program)
    scores, _ = _scores(uow, program, first, last)
    providers = {str(p.id): p for p in uow.cases.providers(program)}
    active = {c.provider_id: c for c in uow.cases.visible(actor) if c.status in ACTIVE_CASE_STATUSES}
    rows = []
    for score in scores:
        provider = providers.get(score.provider)
        if provider is None:
            continue
        case = active.get(provider.id)
        rows.append(ProviderRow(provider.npi, provider.organization.name, score, case.number if case else None,
                                case.status if case else None))
    rows.sort(key=lambda r: (-r.value(sort), r.name))
    audit.record(uow, actor, "read", "integrity-analytics", None, program=program, first=first.isoformat(),
                 last=last.isoformat(), providers=len(rows))
    uow.commit()
    return Analytics(program, first, last, sort, rows)


def legs_behind(uow: Any, actor: Actor, provider_npi: str, component: str, first: dt.date, last: dt.date, *,
                program: str | None = None) -> LegsBehind:
    """The legs behind one provider's score (``component``; ``total``: all of the provider's legs of the period)."""
    program = _check(actor, first, last, component, program)
    provider: TransportProvider | None = uow.cases.provider_by_npi(provider_npi)
    if provider is None or provider.organization.program != program:
        raise NotFound("no transportation provider with that NPI", field="provider", rule="program-based access")
    scores, facts = _scores(uow, program, first, last)
    score = next((s for s in scores if s.provider == str(provider.id)), None)
    keys = set() if score is None else set(score.legs if component == "total" else score.behind.get(component, ()))
    legs = sorted((f for f in facts if f.leg_key in keys and first <= f.day <= last),
                  key=lambda f: (f.day, f.pickup_at or dt.datetime.min.replace(tzinfo=dt.UTC), f.leg_key))
    audit.record_members(uow, actor, "read", "leg", uow.cases.member_ids({f.member for f in legs}),
                         view="integrity-legs", provider=provider.npi, score=component)
    uow.commit()
    return LegsBehind(provider.npi, provider.organization.name, component, legs)
