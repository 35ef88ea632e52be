"""The call center's load test (``python -m benchmarks load``, issue 18 point 5) runs end to end and its report adds
up: a REAL server — gunicorn with uvicorn workers, ``deploy/gunicorn.conf.py`` — on a seeded PostgreSQL schema, Locust
at a low rate for a few seconds, the sends spread over each second, every kind of request sent, counted once,
answered 2xx; every booking a new ride (201, never a repeat of another) that the program's rules approve.

Not a speed test: no latency is checked here (the benchmark measures it, beside its one-process baseline).
"""

from __future__ import annotations

import pytest

from benchmarks.burst import production
from benchmarks.load import KINDS, machine_shares, run_deployment
from tests.conftest import PG_URL, require_postgres

pytestmark = pytest.mark.slow

RATE = 6.0
SECONDS = 8.0


def test_a_short_load_run_is_answered_and_its_report_adds_up():
    require_postgres()
    report = run_deployment(production(2), PG_URL, rate=RATE, duration=SECONDS, members=40, agents=3, seed=29)

    overall, by_kind = report["overall"], report["by_kind"]
    assert overall["errors"] == 0, overall["errors_by_status"]
    assert set(by_kind) == set(KINDS)
    assert all(by_kind[kind]["requests"] > 0 for kind in KINDS), by_kind
    assert sum(by_kind[kind]["requests"] for kind in KINDS) == overall["requests"]
    assert sum(overall["statuses"].values()) == overall["requests"]
    assert overall["requests"] >= RATE * SECONDS / 2, report["achieved_rate_per_s"]
    assert overall["p50_ms"] <= overall["p95_ms"] <= overall["p99_ms"] <= overall["max_ms"]

    booked = by_kind["book"]["requests"]
    assert by_kind["book"]["statuses"] == {"201": booked}, "every booking is a new ride, none a repeat"
    assert report["booking_outcomes"] == {"approved": booked}
    assert set(by_kind["search"]["statuses"]) == {"200"} and set(by_kind["rides"]["statuses"]) == {"200"}
    # The sends are spread over each second, not made together (the agents' phases with seed 29: 0.02, 0.13, 0.15,
    # 0.62, 0.71 and 0.79 s): in a burst all six sends of a second would fall in one tenth of it.
    assert report["sent_per_tenth_second"]["most"] <= 3, report["sent_per_tenth_second"]
    cpu = report["cpu"]
    assert cpu["machine_idle_percent"] is None or 0 <= cpu["machine_idle_percent"] <= 100
    assert cpu["machine_steal_percent"] is None or 0 <= cpu["machine_steal_percent"] <= 100


def test_the_machine_shares_are_the_idle_and_stolen_parts_of_the_time_between_two_readings():
    #            user nice system idle iowait irq softirq steal
    before = [100, 0, 20, 500, 0, 0, 0, 10]
    after = [160, 0, 40, 590, 0, 0, 0, 40]  # 60 + 20 + 90 + 30 = 200 ticks: 45 % idle, 15 % stolen
    assert machine_shares(before, after) == {"machine_idle_percent": 45.0, "machine_steal_percent": 15.0}
    assert machine_shares(None, after) == {"machine_idle_percent": None, "machine_steal_percent": None}
