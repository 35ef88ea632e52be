"""The catalogue of reports and the one use case that runs any of them."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.services.reports.credentials import credentials
from nemt.services.reports.legs import no_shows, on_time, ride_time
from nemt.services.reports.money import claims_by_status, cost
from nemt.services.reports.punctuality import on_time_by_provider
from nemt.services.reports.report import Report, ReportSpec
from nemt.services.reports.trips import denials, trips_by_county, trips_by_day, trips_by_mode

MAX_DAYS = 366

REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("trips-by-day", "Trips by day", trips_by_day),
    ReportSpec("trips-by-mode", "Trips by mode", trips_by_mode),
    ReportSpec("trips-by-county", "Trips by county", trips_by_county),
    ReportSpec("on-time", "On-time pick-ups", on_time),
    ReportSpec("on-time-by-provider", "On-time performance by provider", on_time_by_provider),
    ReportSpec("no-shows", "No-shows and cancellations", no_shows),
    ReportSpec("ride-time", "Average ride time", ride_time),
    ReportSpec("cost", "Cost per trip and per member", cost),
    ReportSpec("denials", "Denials by reason", denials),
    ReportSpec("credentials", "Credentials expiring", credentials),
    ReportSpec("claims-by-status", "Claims by status", claims_by_status),
)}


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("the period ends before it starts", field="end", rule="report period")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field="end", rule="report period")


def run(uow, actor: Actor, name: str, start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Report:
    """Build report ``name`` for ``start``..``end``; records the read in the audit trail."""
    require(actor, Action.REPORT_READ)
    spec = REPORTS.get(name)
    if spec is None:
        raise NotFound(f"no report named {name!r}; one of {', '.join(REPORTS)}", field="report", rule="reports")
    _check_period(start, end)
    policy = load_policy(actor.program or "CO")
    if name == "credentials":
        report = spec.build(uow, actor, start, end, policy, today=today)
    else:
        report = spec.build(uow, actor, start, end, policy)
    report.start, report.end = start, end
    audit.record(uow, actor, "read", "report", None, report=name, start=start.isoformat(), end=end.isoformat(),
                 rows=len(report.rows))
    uow.commit()
    return report
