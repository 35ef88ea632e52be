"""The load test's send schedule (:mod:`benchmarks.load_pacing`): the agents' requests are spread over each second, or
a Poisson stream, at the rate asked — never the bursts that Locust's own pacing made of them (every agent at once,
once a second)."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest

from benchmarks.load_pacing import Schedule

PERIOD = 1.0


def sends(schedule: Schedule, *, until: float, took: float) -> list[float]:
    """The send times of one agent from 0 to ``until`` when each request takes ``took`` seconds (a simulated
    clock: the agent sleeps what the schedule says, sends, waits for its answer, asks again)."""
    now = schedule.start(0.0)
    times = []
    while now < until:
        times.append(now)
        now += took
        now += schedule.wait(now)
    return times


def test_an_agent_sends_once_a_period_at_its_own_phase_whatever_its_first_wait_and_answers_took():
    schedule = Schedule(PERIOD, "spread", random.Random(7))
    times = sends(schedule, until=10.0, took=0.08)
    phase = times[0]
    assert 0.0 < phase < PERIOD
    # The regression: the phase waited before the first send is kept, not taken back at the second.
    assert times == pytest.approx([phase + k * PERIOD for k in range(len(times))])


def test_fifty_agents_spread_their_sends_over_each_second():
    agents = [Schedule(PERIOD, "spread", random.Random(f"29-{n}")) for n in range(50)]
    everything = sorted(t for schedule in agents for t in sends(schedule, until=60.0, took=0.03))
    per_second = Counter(int(t) for t in everything)
    assert all(per_second[s] == 50 for s in range(1, 59)), per_second
    per_tenth = Counter(int(t * 10) for t in everything if 1.0 <= t < 59.0)
    # 5 a tenth of a second on average; all 50 at once would put 50 in one tenth and none in the others.
    assert max(per_tenth.values()) <= 12 and len(per_tenth) == 580, per_tenth.most_common(3)


def test_a_late_send_goes_at_once_and_the_schedule_does_not_move():
    schedule = Schedule(PERIOD, "spread", random.Random(3))
    phase = schedule.start(0.0)
    answered = phase + 2.5 * PERIOD  # an answer that took two and a half periods
    assert schedule.wait(answered) == 0.0  # the next send was due at phase + 1: at once
    assert schedule.wait(answered) == 0.0  # and the one due at phase + 2
    assert schedule.wait(answered) == pytest.approx(phase + 3 * PERIOD - answered)  # then back on the schedule


def test_poisson_arrivals_have_the_rate_asked_and_the_spread_of_a_poisson_stream():
    agents = [Schedule(PERIOD, "poisson", random.Random(f"11-{n}")) for n in range(50)]
    everything = [t for schedule in agents for t in sends(schedule, until=600.0, took=0.0)]
    counts = Counter(int(t) for t in everything)
    per_second = [counts[s] for s in range(10, 590)]
    mean, variance = statistics.fmean(per_second), statistics.pvariance(per_second)
    assert 48.0 <= mean <= 52.0
    assert 0.8 <= variance / mean <= 1.2  # a Poisson count's variance equals its mean (spread sends: 0)


def test_a_schedule_refuses_what_it_cannot_keep():
    with pytest.raises(ValueError, match="period"):
        Schedule(0.0, "spread", random.Random())
    with pytest.raises(ValueError, match="arrivals"):
        Schedule(PERIOD, "bursts", random.Random())
    with pytest.raises(RuntimeError, match="not started"):
        Schedule(PERIOD, "spread", random.Random()).wait(1.0)
