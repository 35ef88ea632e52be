"""Report builds as jobs (issue 18, item 2), in-process on SQLite and PostgreSQL: a report of services.reports built
by a worker as the user who asked, its table kept in the job's record, given back only to that user — the same table
the report gives when read at once."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from nemt import clock
from nemt.jobs.reports import report_for, report_of, submit_report
from nemt.jobs.runner import InProcess
from nemt.services import reports
from nemt.services.platform import auth
from nemt.services.platform.errors import Forbidden, NotFound
from tests.conftest import nemt_cli
from tests.jobs.conftest import wait_done


def _actor(make, username):
    with make() as uow:
        return auth.actor_of(uow.users.by_username(username))



def _week():
    today = clock.now().date()
    return today - dt.timedelta(days=7), today + dt.timedelta(days=7)


def test_a_report_built_by_a_job_is_the_report_read_at_once(demo_with_rides):
    demo = demo_with_rides
    start, end = _week()
    auditor = _actor(demo, "auditor")
    runner = InProcess(demo)
    job = submit_report(demo, auditor, "trips-by-mode", start, end, to=runner)
    assert job.key == f"report:trips-by-mode:{start}:{end}:u{auditor.user_id}"
    done = wait_done(demo, job.key)
    assert done.state == "done" and done.error is None, done.error
    with demo() as uow:
        direct = reports.run(uow, auditor, "trips-by-mode", start, end)
    kept = report_of(report_for(demo, auditor, job.key))
    assert kept.rows == [tuple(r) for r in direct.rows] and sum(r[1] for r in kept.rows) > 0
    assert kept.columns == direct.columns and kept.csv() == direct.csv()
    again = submit_report(demo, auditor, "trips-by-mode", start, end, to=runner)  # kept: found, not built again
    assert again.state == "done" and len(runner.threads) == 1
    submit_report(demo, auditor, "trips-by-mode", start, end, to=runner, again=True)
    assert wait_done(demo, job.key).attempts == 2 and len(runner.threads) == 2


def test_a_report_job_is_scoped_to_its_reader(demo_with_rides):
    demo = demo_with_rides
    start, end = _week()
    job = submit_report(demo, _actor(demo, "ct-auditor"), "trips-by-day", start, end, to=InProcess(demo))
    done = wait_done(demo, job.key)
    assert done.state == "done", done.error
    with demo() as uow:  # built as the CT auditor sees it: Connecticut's trips, not Colorado's
        ct = reports.run(uow, _actor(demo, "ct-auditor"), "trips-by-day", start, end)
        co = reports.run(uow, _actor(demo, "auditor"), "trips-by-day", start, end)
    assert report_of(done).rows == [(d.isoformat(), *rest) for d, *rest in ct.rows] != [
        (d.isoformat(), *rest) for d, *rest in co.rows]
    with pytest.raises(NotFound):  # another user's report: as if there were none
        report_for(demo, _actor(demo, "auditor"), job.key)
    with pytest.raises(Forbidden):
        submit_report(demo, _actor(demo, "driver"), "trips-by-day", start, end, to=InProcess(demo))
    with pytest.raises(NotFound):
        submit_report(demo, _actor(demo, "auditor"), "no-such-report", start, end, to=InProcess(demo))


def test_the_command_builds_a_report_as_a_job(demo, db):
    start, end = _week()
    done = nemt_cli(db, "jobs", "report", "trips-by-mode", "--start", start.isoformat(), "--end", end.isoformat(),
                    "--user", "auditor")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["kind"] == "build-report" and shown["state"] == "done" and shown["result"]["columns"][0]
    unknown = nemt_cli(db, "jobs", "report", "trips-by-mode", "--start", start.isoformat(), "--end",
                       end.isoformat(), "--user", "nobody")
    assert unknown.returncode == 2 and "no user has this name" in unknown.stderr


def test_the_reports_page_builds_a_report_in_the_background(client, demo):
    from urllib.parse import quote

    from tests.web.helpers import sign_in

    start, end = _week()
    csrf = sign_in(client, "auditor")
    page = client.get(f"/reports/trips-by-mode?start={start}&end={end}")
    assert page.status_code == 200 and 'action="/reports/trips-by-mode/build"' in page.text
    r = client.post("/reports/trips-by-mode/build", data={"csrf_token": csrf, "start": start.isoformat(),
                                                          "end": end.isoformat()}, follow_redirects=False)
    assert r.status_code == 303, r.text
    key = f"report:trips-by-mode:{start}:{end}:u{_actor(demo, 'auditor').user_id}"
    assert r.headers["location"] == f"/reports/jobs/{quote(key, safe='')}"
    assert wait_done(demo, key).state == "done"
    built = client.get(r.headers["location"])
    assert built.status_code == 200 and 'id="built-by-job"' in built.text
    # The table is the one the page shows when read at once.
    table = page.text[page.text.index("<table"):page.text.index("</table>")]
    assert table == built.text[built.text.index("<table"):built.text.index("</table>")]
    # Another auditor's job is no job of this user's; an agent, who reads no reports, builds none.
    sign_in(client, "ct-auditor")
    assert client.get(r.headers["location"]).status_code == 404
    csrf = sign_in(client, "agent")
    assert client.post("/reports/trips-by-mode/build", data={"csrf_token": csrf}).status_code == 403
