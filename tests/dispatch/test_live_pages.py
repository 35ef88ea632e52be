"""The live board's pages and API (SQLite and PostgreSQL): the board carries its stamp and its static script, the
stamp answers alone and changes when the day does, the live part comes without the page around it, scheduling runs
as a job whose progress the page and the API follow to the checker-verified result, and a will-call for a leg that is
no return is refused naming the rule."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from sqlalchemy import select

from nemt.store.models import AuditEvent, Leg
from tests.conftest import database_url_of
from tests.web.helpers import sign_in

from .conftest import DAY


def _until_finished(get, url: str) -> str:
    """Wait for a background job (a thread of the server) to finish: what its progress answers at the end."""
    deadline = time.monotonic() + 90
    while True:
        text = get(url)
        if re.search(r'data-state="(done|failed)"|"state":\s*"(done|failed)"', text):
            return text
        assert time.monotonic() < deadline, text
        time.sleep(0.2)


def test_the_board_polls_a_stamp_and_schedules_as_a_job_with_progress(client, day_with_trips):
    token = sign_in(client, "dispatcher")
    board = client.get(f"/dispatch?day={DAY}").text
    stamp = re.search(r'data-stamp="([^"]+)"', board).group(1)
    assert '<script src="/static/board.js" defer></script>' in board and 'id="live-board"' in board
    assert "Member ready" in board and 'id="returns"' in board
    assert client.get("/static/board.js").status_code == 200
    with day_with_trips() as uow:
        audits = uow.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    polled = client.get(f"/dispatch/stamp?day={DAY}")
    assert polled.status_code == 200 and polled.text == stamp and polled.headers["cache-control"] == "no-store"
    with day_with_trips() as uow:  # a poll reads no member data: no audit record
        assert uow.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == audits

    r = client.post("/dispatch/schedule-job", data={"csrf_token": token, "day": DAY.isoformat(), "seconds": "0.5"},
                    follow_redirects=False)
    assert r.status_code == 303
    key = re.search(r"job=([^&]+)", r.headers["location"]).group(1)
    running = client.get(r.headers["location"]).text
    assert 'id="job-progress"' in running or 'id="schedule-result"' in running
    final = _until_finished(lambda url: client.get(url).text, f"/dispatch/jobs/{key}")
    assert 'data-state="done"' in final and ">100<" in final
    done = client.get(f"/dispatch?day={DAY}&job={key}").text
    assert "verified by the independent checker" in done.split('id="schedule-result"')[1]
    assert client.get(f"/dispatch/stamp?day={DAY}").text != stamp
    live = client.get(f"/dispatch/live?day={DAY}").text
    assert "<html" not in live and 'id="unassigned-h"' in live and 'id="runs-h"' in live
    assert client.get("/dispatch/jobs/nosuchjob").status_code == 404


def test_the_api_follows_a_schedule_job_and_refuses_a_will_call_that_is_no_return(client, token_for,
                                                                                   day_with_trips):
    headers = token_for("dispatcher")
    r = client.post("/api/v1/dispatch/schedule-jobs", json={"program": "CO", "date": DAY.isoformat(),
                                                            "time_limit": 0.5}, headers=headers)
    assert r.status_code == 202, r.text
    final = _until_finished(lambda url: client.get(url, headers=headers).text, r.json()["status"])
    body = client.get(r.json()["status"], headers=headers).json()
    assert '"done"' in final and body["percent"] == 100 and body["result"]["verified"] is True
    with day_with_trips() as uow:
        outbound = uow.session.scalar(select(Leg).where(Leg.sequence == 1).order_by(Leg.id)).key
    r = client.post(f"/api/v1/legs/{outbound}/will-call", headers=headers)
    assert r.status_code == 422 and r.json()["rule"] == "will-call returns", r.text
    assert client.get(r"/api/v1/dispatch/jobs/nosuchjob", headers=headers).status_code == 404


def test_the_cli_prints_the_progress_of_scheduling(db, day_with_trips):
    env = {**os.environ, "NEMT_DATABASE_URL": database_url_of(db)}
    done = subprocess.run([sys.executable, "-m", "nemt.cli", "dispatch", "schedule", "--date", DAY.isoformat(),
                           "--time-limit", "0.5"], env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    steps = re.findall(r"^\[\s*(\d+)%\] (.+)$", done.stderr, re.MULTILINE)
    assert [int(p) for p, _ in steps] == sorted(int(p) for p, _ in steps) and len(steps) >= 4, done.stderr
    assert any(m.startswith("optimizing 16 legs") for _, m in steps)
    assert json.loads(done.stdout)["verified"] is True


def test_a_return_booked_as_will_call_is_marked_on_the_board(client, day_with_trips):
    sign_in(client, "dispatcher")
    assert "booked as will-call" not in client.get(f"/dispatch?day={DAY}").text
    with day_with_trips() as uow:
        leg = uow.session.scalars(select(Leg).where(Leg.sequence == 2).order_by(Leg.id)).first()
        leg.will_call = True
        uow.commit()
    returns = re.search(r'<table class="data" id="returns">.*?</table>', client.get(f"/dispatch?day={DAY}").text, re.S)
    assert returns and returns.group(0).count("booked as will-call") == 1
