"""The platform clock (nemt.clock): one source of "now", never the machine's time zone, never the database's clock."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nemt import clock
from tests.conftest import TEST_CLOCK_START

SRC = Path(__file__).resolve().parents[2] / "src" / "nemt"


def test_the_suite_runs_on_its_own_clock():
    start = dt.datetime.fromisoformat(TEST_CLOCK_START)
    elapsed = clock.now() - start
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == dt.timedelta(0)
    assert dt.timedelta(0) <= elapsed < dt.timedelta(hours=2), "the clock starts at NEMT_CLOCK_START and runs on"


def test_today_is_the_programs_date_not_the_machines():
    try:
        clock.start_at("2026-11-17T23:30:00-07:00")  # Denver late evening = next day in UTC and New York
        assert clock.today(ZoneInfo("America/Denver")) == dt.date(2026, 11, 17)
        assert clock.today(ZoneInfo("America/New_York")) == dt.date(2026, 11, 18)
        assert clock.today(ZoneInfo("Pacific/Honolulu")) == dt.date(2026, 11, 17)
    finally:
        clock.start_at(TEST_CLOCK_START)


def test_a_start_without_offset_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        clock.start_at("2026-11-17T09:30:00")
    with pytest.raises(ValueError, match="ISO 8601"):
        clock.start_at("next tuesday")
    clock.start_at(TEST_CLOCK_START)


def test_a_subprocess_takes_the_start_from_the_environment():
    code = "from nemt import clock; print(clock.now().isoformat())"
    env = {"NEMT_CLOCK_START": "2030-01-02T03:04:05+00:00", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("2030-01-02T03:04:0")


def test_a_child_started_with_for_child_runs_on_its_parents_clock_however_slow_its_start():
    """Pinned to the machine's moment, the child's clock does not lag by its start-up (here 1.5 s of it)."""
    code = "import time; time.sleep(1.5); from nemt import clock; print(clock.now().isoformat())"
    before = clock.now()
    # The child shares this process's machine clock (the whole environment: under the moved-clock run's libfaketime
    # too), as every process started on one machine does.
    env = {**os.environ, "NEMT_CLOCK_START": clock.for_child()}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    child = dt.datetime.fromisoformat(out.strip())
    assert before + dt.timedelta(seconds=1.5) <= child <= clock.now()


def test_a_pinned_start_that_is_not_a_machine_time_is_refused():
    with pytest.raises(ValueError, match="Unix seconds"):
        clock.start_at("2026-11-17T09:30:00-07:00@yesterday")
    clock.start_at(TEST_CLOCK_START)


def test_no_module_reads_the_machine_clock_or_the_database_clock():
    """Only nemt/clock.py reads the machine's clock; SQL never asks the database for the time."""
    machine = re.compile(r"datetime\.now\(|date\.today\(|datetime\.utcnow\(|time\.time\(\)|time\.localtime\(")
    database = re.compile(r"func\.now\(|CURRENT_TIMESTAMP|CURRENT_DATE|LOCALTIMESTAMP|server_default=.*now", re.I)
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "clock.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if machine.search(code) or database.search(code):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not offenders, "read the time through nemt.clock:\n" + "\n".join(offenders)
