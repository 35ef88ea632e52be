"""The complaints report: complaints received in a period per 1,000 completed one-way trips, by transportation
provider and category, with the percent Connecticut's broker reported ("0.10 %" in 2019). The counts are the
store's (``uow.complaints.counts`` and ``completed_trips``); the figure is ``nemt.domain.complaints.ComplaintRate``.
A table, a chart (the rate of each provider) and a CSV, like the program's other reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from nemt.domain.actors import Actor
from nemt.domain.complaints import ComplaintRate
from nemt.policy import load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action, require
from nemt.services.reports import MAX_DAYS, Report
from nemt.store.uow import UnitOfWork

NAME = "complaints"
ALL_CATEGORIES, ALL_PROVIDERS, NO_PROVIDER = "all categories", "all providers", "(no provider named)"
COLUMNS = ("provider", "category", "complaints", "completed trips", "per 1,000 trips", "percent of trips")


def _row(provider: str, category: str, rate: ComplaintRate) -> tuple:
    return (provider, category, rate.complaints, rate.trips, rate.per_thousand, rate.percent)


def _figure(total: ComplaintRate) -> str:
    if not total.trips:
        return "no completed trip to measure them against"
    return f"{total.complaints} in {total.trips:,} trips, {total.percent_text()} of trips for the program"


def _check(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("the period ends before it starts", field="end", rule="report period")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field="end", rule="report period")


def complaints_report(uow: UnitOfWork, actor: Actor, start: dt.date, end: dt.date,
                      program: str | None = None) -> Report:
    """Complaints received ``start``..``end`` against the one-way trips completed then, by provider and category:
    one row per provider and category with complaints, one per provider for all its categories, one for the
    program. Audited as a report read."""
    require(actor, Action.COMPLAINT_REPORT)
    _check(start, end)
    program = actor.program or (program or "").upper()
    if not program:
        raise InvalidInput("name the program (CO or CT)", field="program", rule="report period")
    counts = uow.complaints.counts(actor, program, start, end)
    trips = uow.complaints.completed_trips(actor, program, start, end)
    names = uow.complaints.provider_names({p for p, _, _ in counts if p is not None} | set(trips))
    by_provider: dict[int | None, dict[str, int]] = defaultdict(dict)
    for provider_id, category, n in counts:
        by_provider[provider_id][category] = n
    for provider_id in trips:
        by_provider.setdefault(provider_id, {})
    rows: list[tuple] = []
    order = sorted(by_provider, key=lambda p: (p is None, names.get(p, "") if p is not None else ""))
    for provider_id in order:
        name = names.get(provider_id, NO_PROVIDER) if provider_id is not None else NO_PROVIDER
        completed = trips.get(provider_id, 0) if provider_id is not None else 0
        categories = by_provider[provider_id]
        rows.append(_row(name, ALL_CATEGORIES, ComplaintRate(sum(categories.values()), completed)))
        rows += [_row(name, category, ComplaintRate(n, completed)) for category, n in sorted(categories.items())]
    total = ComplaintRate(sum(n for _, _, n in counts), sum(trips.values()))
    rows.append(_row(ALL_PROVIDERS, ALL_CATEGORIES, total))
    policy = load_policy(program)
    report = Report(NAME, "Complaints per 1,000 trips",
                    f"Complaints received from {start} to {end} by transportation provider and category, against "
                    f"the one-way trips they completed then: {_figure(total)}.",
                    COLUMNS, rows, chart="bar", label_column=0, value_column=4, unit=" per 1,000",
                    citation=policy.cite("complaints") if policy.has("complaints.cite") else "", start=start, end=end)
    audit.record(uow, actor, "read", "report", None, report=NAME, start=start.isoformat(), end=end.isoformat(),
                 rows=len(rows))
    uow.commit()
    return report


def chart_items(report: Report) -> list[tuple[str, float]]:
    """The rate of each provider (all its categories) for the chart: per 1,000 completed trips."""
    return [(str(r[0]), float(r[4])) for r in report.rows
            if r[1] == ALL_CATEGORIES and r[0] not in (ALL_PROVIDERS, NO_PROVIDER) and r[4] is not None]
