"""Report builds as jobs (issue 18, item 2): a report of ``services.reports`` built by a worker, its table kept in
the job's record in the database, fetched by whoever asked for it.

``submit_report`` checks the asker's permission (``report.read``), the report's name and period at once, and queues
``report:NAME:START:END:uUSER`` — one job per report, period and user, because a report is scoped to its reader
(their program, their organization): the worker builds it as that user (``services.reports.run``, the user read
again by id, so a user disabled or moved meanwhile builds what they may now see), and the read is audited as theirs.
Submitted again it gives the kept report (``again``: built once more, with today's data). ``report_for`` gives the
job back only to the user who asked (the same answer for a job that does not exist and one of another user), and
``report_of`` turns its result back into the ``Report`` the reports page and the CSV export show.

Idempotent: building a report writes nothing but its audit record, so a job run twice (a duplicate delivery) builds
the same table twice and keeps one. No member data: reports carry counts and sums only.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Any

from nemt.jobs import records
from nemt.services.platform.errors import NotFound

if TYPE_CHECKING:
    from nemt.domain.actors import Actor
    from nemt.jobs.records import JobView, UowFactory
    from nemt.jobs.runner import Dispatcher
    from nemt.jobs.tasks import Progress
    from nemt.services.reports import Report

KIND = "build-report"


def report_key(name: str, start: dt.date, end: dt.date, user_id: int) -> str:
    return f"report:{name}:{start.isoformat()}:{end.isoformat()}:u{user_id}"


def submit_report(make_uow: UowFactory, actor: Actor, name: str, start: dt.date, end: dt.date, *,
                  again: bool = False, to: Dispatcher | None = None) -> JobView:
    """Queue the build of report ``name`` for ``start``..``end`` as ``actor`` sees it, unless it is queued, running or
    kept (``again``: build it once more). Refused at once when the actor may not read reports, the report does not
    exist or the period is not one a report covers."""
    from nemt.jobs import dispatcher
    from nemt.services.platform.errors import InvalidInput
    from nemt.services.platform.permissions import Action, require
    from nemt.services.reports import MAX_DAYS, REPORTS

    require(actor, Action.REPORT_READ)
    if actor.user_id is None:
        raise InvalidInput("a report is built for a user: name one", field="user", rule="reports")
    if name not in REPORTS:
        raise NotFound(f"no report named {name!r}; one of {', '.join(REPORTS)}", field="report", rule="reports")
    if end < start or (end - start).days > MAX_DAYS:
        raise InvalidInput(f"a report covers from 1 to {MAX_DAYS + 1} days, ending after it starts", field="end",
                           rule="report period")
    params = {"report": name, "start": start.isoformat(), "end": end.isoformat(), "user_id": actor.user_id}
    job, send = records.submit(make_uow, report_key(name, start, end, actor.user_id), KIND, params, actor.username,
                               again=again)
    if send:
        (to or dispatcher(make_uow)).send(job.key)
    return job


def build_report(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The job: the report built as the user who asked for it, kept as its table (columns, rows, chart)."""
    from nemt.services.platform.auth import actor_of
    from nemt.services.reports import run

    start, end = dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])
    progress(10, f"building the report {params['report']}")
    with make_uow() as uow:
        user = uow.users.by_id(int(params["user_id"]))
        if user is None:
            raise NotFound("the user who asked for this report no longer exists", field="user", rule="reports")
        report = run(uow, actor_of(user), str(params["report"]), start, end)
    return {"name": report.name, "title": report.title, "description": report.description,
            "columns": list(report.columns), "rows": [[_cell(v) for v in row] for row in report.rows],
            "chart": report.chart, "label_column": report.label_column, "value_column": report.value_column,
            "unit": report.unit, "citation": report.citation, "start": params["start"], "end": params["end"]}


def _cell(value: Any) -> Any:
    """A table cell as JSON keeps it: numbers and text as they are, a decimal as a number, a date as ISO text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def report_for(make_uow: UowFactory, actor: Actor, key: str) -> JobView:
    """A report job as the user who asked for it sees it; NotFound for any other user's, as for none."""
    try:
        job = records.status(make_uow, key)
    except NotFound:
        job = None
    if job is None or job.kind != KIND or job.params.get("user_id") != actor.user_id:
        raise NotFound("no such report job", field="job", rule="report jobs")
    return job


def report_of(job: JobView) -> Report:
    """The ``Report`` a done report job kept (for the reports page, the CSV export)."""
    from nemt.services.reports import Report

    if job.result is None:
        raise NotFound("the report is not built yet", field="job", rule="report jobs")
    r = job.result
    return Report(r["name"], r["title"], r["description"], tuple(r["columns"]), [tuple(row) for row in r["rows"]],
                  r["chart"], r["label_column"], r["value_column"], r["unit"], r["citation"],
                  dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"]))
