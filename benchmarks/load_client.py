"""The load client of :mod:`benchmarks.load`: Locust, headless, driven from Python, in a process of its own (Locust
patches the standard library with gevent when it is imported, which must not happen to the caller).

    python -m benchmarks.load_client --host http://127.0.0.1:8000 --plan plan.json --rate 50 --duration 300 \\
        --out answers.json

Call-center agents (one Locust user per request a second, each holding one agent's API token) at a total of
``--rate`` requests a second, for ``--duration`` seconds — each agent once a period at its own phase, or in a Poisson
stream with ``--arrivals poisson`` (:mod:`benchmarks.load_pacing`) — in this mix:

- ``search`` (40 %): ``POST /api/v1/members/search`` with what an agent types into the one search box: the Medicaid
  ID (half of the searches), "last first", or "last birth-date";
- ``rides`` (35 %): ``GET /api/v1/members/{key}/rides``, the agent's list of a member's rides (a member already
  booked for, once there are some);
- ``book`` (25 %): ``POST /api/v1/rides``, a one-way ride to the member's clinic; booking ``i`` is for member ``i``
  of the plan on the plan's first day, then each member again on the next day, and so on: never a duplicate of
  another.

Every answer is written to ``--out`` (the kind, the status — 0 for no answer —, the latency in milliseconds and
when it was sent, in seconds from the start), with the bookings' outcomes counted; :mod:`benchmarks.load` makes the
figures. No member data leaves the process: searches go in request bodies, members are addressed by their opaque key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import time
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment

from benchmarks.load_pacing import ARRIVALS, Schedule
from benchmarks.load_world import WEIGHTS

CLIENT_TIMEOUT = 30.0
ZONE = ZoneInfo("America/Denver")


class Shared:
    """The plan and the answers, shared by the users of this one process (gevent: no two run at once)."""

    plan: dict[str, Any] = {}
    bookings = itertools.count()
    booked = 0
    answers: list[list[Any]] = []
    outcomes: Counter[str] = Counter()
    users = itertools.count()
    started = 0.0
    period = 1.0  # seconds between two requests of one user (the mean, for Poisson arrivals)
    arrivals = "spread"
    seed: int | None = None  # the users' random draws; None: different each run


def booking_body(plan: dict[str, Any], i: int) -> dict[str, Any]:
    """Booking ``i``: member ``i mod M`` on day ``i div M`` of the plan, to the member's clinic by the mode the
    member's certifications support (a child with a parent), at a time of the morning or afternoon."""
    members, days = plan["members"], plan["days"]
    member = members[i % len(members)]
    day = dt.date.fromisoformat(days[(i // len(members)) % len(days)])
    at = dt.datetime.combine(day, dt.time(7), tzinfo=ZONE) + dt.timedelta(minutes=15 * (i % 36))
    return {"member": member["key"], "destination": {"provider": member["provider"], "service": member["service"]},
            "requested_mode": member["mode"], "appointment_at": at.isoformat(),
            "escorts": [{"name": "Parent Example", "age": 40, "role": "parent"}] if member["minor"] else []}


def search_text(member: dict[str, str], draw: float) -> str:
    if draw < 0.5:
        return member["medicaid_id"]
    return member["name"] if draw < 0.75 else member["name_birth"]


class Agent(FastHttpUser):
    """One call-center agent: its requests go by its :class:`~benchmarks.load_pacing.Schedule` (the total rate
    shared among the users)."""

    network_timeout = CLIENT_TIMEOUT
    connection_timeout = CLIENT_TIMEOUT
    max_retries = 0

    def on_start(self) -> None:
        tokens = Shared.plan["tokens"]
        number = next(Shared.users)
        self.headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
        self.rng = random.Random(None if Shared.seed is None else f"{Shared.seed}-{number}")
        # The users are started together: each waits for the first send of its own schedule (a random phase), or
        # the run would open with a burst of them all at once.
        self.schedule = Schedule(Shared.period, Shared.arrivals, self.rng)
        gevent.sleep(self.schedule.start(time.perf_counter()))

    def wait_time(self) -> float:
        return self.schedule.wait(time.perf_counter())

    @task(WEIGHTS["search"])
    def search(self) -> None:
        member = self.rng.choice(Shared.plan["members"])
        self.client.post("/api/v1/members/search", json={"query": search_text(member, self.rng.random())},
                         headers=self.headers, name="search")

    @task(WEIGHTS["rides"])
    def rides(self) -> None:
        members = Shared.plan["members"]
        known = min(len(members), Shared.booked) or len(members)
        key = members[self.rng.randrange(known)]["key"]
        self.client.get(f"/api/v1/members/{key}/rides", headers=self.headers, name="rides")

    @task(WEIGHTS["book"])
    def book(self) -> None:
        i = next(Shared.bookings)
        response = self.client.post("/api/v1/rides", json=booking_body(Shared.plan, i), headers=self.headers,
                                    name="book")
        Shared.booked = max(Shared.booked, i + 1)
        if 200 <= response.status_code < 300:
            Shared.outcomes[str(response.json().get("outcome"))] += 1


def on_request(request_type, name, response_time, response_length, response=None, context=None, exception=None,
               **_kwargs) -> None:
    at = time.time() - Shared.started - response_time / 1000  # when the request was sent, from the run's start
    Shared.answers.append([name, int(getattr(response, "status_code", 0) or 0), round(float(response_time), 2),
                           round(at, 3)])


def run(host: str, plan: dict[str, Any], rate: float, duration: float, arrivals: str = "spread",
        seed: int | None = None) -> dict[str, Any]:
    """Run the agents against ``host`` for ``duration`` seconds at ``rate`` requests a second in all."""
    Shared.plan = plan
    users = max(1, round(rate))
    Shared.period = users / rate
    Shared.arrivals, Shared.seed = arrivals, seed
    events.request.add_listener(on_request)
    env = Environment(user_classes=[Agent], host=host, events=events)
    runner = env.create_local_runner()
    started = Shared.started = time.time()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(duration, runner.quit)
    runner.greenlet.join()
    ended = time.time()
    return {"started": started, "ended": ended, "users": users, "answers": Shared.answers,
            "booking_outcomes": dict(Shared.outcomes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--plan", required=True, help="the plan's JSON file (benchmarks.load_world.Plan)")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--arrivals", choices=ARRIVALS, default="spread")
    parser.add_argument("--seed", type=int, default=None, help="the users' random draws (default: new each run)")
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    result = run(args.host, plan, args.rate, args.duration, args.arrivals, args.seed)
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
