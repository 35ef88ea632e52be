"""Auditor pages: the reports (chart, table, CSV) and the audit trail; the expiring-credentials page shared with
dispatchers and providers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form

from nemt.domain.statuses import JobState
from nemt.jobs import reports as report_jobs
from nemt.services import network, reports
from nemt.services.platform import audit
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.web import charts
from nemt.web.common import Page, PageRoute, csv_response, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
DEFAULT_DAYS_BACK, DEFAULT_DAYS_AHEAD = 30, 14


def _period(page: Page, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    today = page.today()
    s = optional_date_input(start, "start", "report period", label="the start of the period")
    e = optional_date_input(end, "end", "report period", label="the end of the period")
    return (s or today - dt.timedelta(days=DEFAULT_DAYS_BACK), e or today + dt.timedelta(days=DEFAULT_DAYS_AHEAD))


def _chart(report: reports.Report):
    items = report.chart_items()
    if report.chart == "column":
        return charts.column_chart(items, report.title, report.unit)
    if report.chart == "bar":
        if report.name in ("on-time", "ride-time"):
            items = [(label, v) for label, v in items if label not in ("all days", "all modes")]
        if report.name == "cost":
            items = [(label, v) for label, v in items if label != "all providers"]
        return charts.bar_chart(items, report.title, report.unit)
    return None


@router.get("/reports")
def reports_index(page: Page = Depends(page_for(Action.REPORT_READ)), start: str | None = None, end: str | None = None):
    s, e = _period(page, start, end)
    today = page.today()
    by_day = reports.run(page.uow, page.actor, "trips-by-day", s, e, today=today)
    on_time = reports.run(page.uow, page.actor, "on-time", s, e, today=today)
    claims = reports.run(page.uow, page.actor, "claims-by-status", s, e, today=today)
    glance = {
        "requests": sum(r[1] for r in by_day.rows), "approved": sum(r[2] for r in by_day.rows),
        "denied": sum(r[4] for r in by_day.rows), "cancelled": sum(r[5] for r in by_day.rows),
        "on_time": on_time.rows[-1][on_time.value_column] if on_time.rows else None,
        "claims": sum(r[1] for r in claims.rows),
    }
    return page.render("reports/index.html", specs=list(reports.REPORTS.values()), start=s, end=e, glance=glance,
                       chart=charts.column_chart(by_day.chart_items(), "Ride requests by day"))


@router.get("/reports/{name}.csv")
def report_csv(name: str, page: Page = Depends(page_for(Action.REPORT_READ)), start: str | None = None,
               end: str | None = None):
    s, e = _period(page, start, end)
    report = reports.run(page.uow, page.actor, name, s, e, today=page.today())
    return csv_response(report.csv(), f"{name}-{s.isoformat()}-{e.isoformat()}.csv")


@router.get("/reports/{name}")
def report_page(name: str, page: Page = Depends(page_for(Action.REPORT_READ)), start: str | None = None,
                end: str | None = None):
    s, e = _period(page, start, end)
    report = reports.run(page.uow, page.actor, name, s, e, today=page.today())
    return page.render("reports/report.html", report=report, chart=_chart(report),
                       specs=list(reports.REPORTS.values()), start=s, end=e)


@router.post("/reports/{name}/build")
def report_build(name: str, page: Page = Depends(page_for(Action.REPORT_READ)), csrf_token: str = Form(""),
                 start: str = Form(""), end: str = Form("")):
    """Build the report in the background (a job on the workers, ``nemt.jobs.reports``): for a long period, so the
    page is not held while it is built; the job's page shows its progress, then the report."""
    check_csrf(page.request, csrf_token)
    s, e = _period(page, start or None, end or None)
    job = report_jobs.submit_report(page.request.app.state.uow_factory, page.actor, name, s, e, again=True)
    return redirect(f"/reports/jobs/{quote(job.key, safe='')}")


@router.get("/reports/jobs/{key}")
def report_job(key: str, page: Page = Depends(page_for(Action.REPORT_READ))):
    """A report built as a job: its progress while it runs (the page reloads itself), the report once built."""
    job = report_jobs.report_for(page.request.app.state.uow_factory, page.actor, key)
    if job.state == JobState.DONE:
        report = report_jobs.report_of(job)
        return page.render("reports/report.html", report=report, chart=_chart(report),
                           specs=list(reports.REPORTS.values()), start=report.start, end=report.end, built=job)
    return page.render("reports/job.html", job=job, status_code=200)


@router.get("/audit")
def audit_trail(page: Page = Depends(page_for(Action.AUDIT_READ)), limit: int = audit.DEFAULT_TRAIL_ROWS):
    return page.render("audit.html", events=audit.trail(page.uow, page.actor, limit))


@router.get("/credentials")
def credentials(page: Page = Depends(page_for(Action.CREDENTIALS_READ)), within: int = 90):
    if within not in (30, 60, 90):
        within = 90
    found = network.expiring_credentials(page.uow, page.actor, page.today(), within)
    chart = charts.bar_chart(reports.bucket_counts(found, within), "Credentials by time left")
    return page.render("credentials.html", found=found, within=within, chart=chart, today=page.today())
