"""When each call-center agent of the load test sends its requests (:mod:`benchmarks.load_client`): a schedule per
agent, kept apart from Locust so that it can be tested without gevent's patching of the standard library.

Two kinds of arrivals, at the same mean rate:

- ``spread`` (the default, the issue's "50 requests a second"): each agent sends once a period, at its own phase,
  drawn at random when it starts — the agents' requests are spread evenly over each second, never sent together;
- ``poisson``: each agent's gaps are drawn from the exponential distribution with the period as their mean — the
  many agents together are a Poisson stream, the way independent callers arrive, with its chance clusters.

A send is due at a point of the schedule, whatever the previous request took; one that is late goes at once, and
the schedule does not move (a slow answer is not made up for by sending more, nor does it push every later send
back).

Why a schedule of our own and not Locust's ``constant_throughput``: that pacing counts from the moment the user was
created, so the random phase an agent waited before its first request was taken back at its first pause — every
agent then sent at the same instant, once a second, for the rest of the run: bursts of 50 requests at once instead of
50 spread over the second (the load test's figures up to 2026-12-01 were measured that way).
"""

from __future__ import annotations

import random

ARRIVALS = ("spread", "poisson")


class Schedule:
    """One agent's send times, in seconds on the caller's clock: the first at ``start`` plus a random phase within
    the first ``period``, then one every ``period`` (``spread``) or after exponential gaps of that mean
    (``poisson``)."""

    def __init__(self, period: float, arrivals: str, rng: random.Random):
        if period <= 0:
            raise ValueError(f"period: must be positive seconds, not {period!r}")
        if arrivals not in ARRIVALS:
            raise ValueError(f"arrivals: one of {', '.join(ARRIVALS)}, not {arrivals!r}")
        self.period, self.arrivals, self.rng = period, arrivals, rng
        self.due: float | None = None

    def start(self, now: float) -> float:
        """Begin at ``now``; the seconds to wait for the first send."""
        first = self.rng.uniform(0.0, self.period) if self.arrivals == "spread" else self._gap()
        self.due = now + first
        return first

    def wait(self, now: float) -> float:
        """Called when a send has gone (``now``): the seconds to wait for the next one (0 when it is already due)."""
        if self.due is None:
            raise RuntimeError("the schedule has not started")
        self.due += self.period if self.arrivals == "spread" else self._gap()
        return max(0.0, self.due - now)

    def _gap(self) -> float:
        return self.rng.expovariate(1.0 / self.period)
