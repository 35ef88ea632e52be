"""On-time performance by provider and day, from the immutable trip log.

Each driven leg is graded by the one rule the dispatch board uses too (``nemt.domain.punctuality.verdict``): against
its promised pick-up (the planned one, or the requested one when none was planned) within the program's
``operations.pickup_window_minutes`` either side — the ±15 minutes most broker contracts use — and, a leg to an
appointment, arriving by the appointment. The log is the fold of the leg's events (corrections count). Counts only:
no member's name, ID or birth date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from nemt.domain.punctuality import verdict
from nemt.services.reports.report import Report, graded, leg_times, legs_with_logs

NO_PROVIDER = "(no provider)"


def on_time_by_provider(uow, actor, start, end, policy) -> Report:
    window = dt.timedelta(minutes=int(policy.get("operations.pickup_window_minutes")))
    names = {p.id: p.organization.name for p in uow.network.providers(actor)}
    counts: dict[tuple[dt.date, str], Counter] = defaultdict(Counter)
    for leg, _trip, log in legs_with_logs(uow, actor, start, end):
        grade = verdict(leg_times(leg, log), window)
        if grade is None:
            continue
        provider = NO_PROVIDER if leg.provider_id is None else names.get(leg.provider_id, f"provider {leg.provider_id}")
        counts[(leg.service_date, provider)][grade] += 1
    rows = [_row(day, provider, c) for (day, provider), c in sorted(counts.items())]
    every: dict[str, Counter] = defaultdict(Counter)
    for (_day, provider), c in counts.items():
        every[provider].update(c)
    rows += [_row("all days", provider, c) for provider, c in sorted(every.items())]
    minutes = int(window.total_seconds() // 60)
    return Report("on-time-by-provider", "On-time performance by provider",
                  f"Legs driven, by date of service and transportation provider, from the drivers' trip logs: on time "
                  f"when picked up within {minutes} minutes either side of the planned pick-up (the requested one when "
                  f"none was planned) and, to an appointment, arriving by it; early when picked up more than {minutes} "
                  "minutes before. The dispatch board flags lateness by the same rule.",
                  ("date", "provider", "legs measured", "on time", "early", "late", "on-time %"), rows, chart="bar",
                  label_column=1, value_column=6, unit="%", citation=policy.cite("operations"))


def _row(day: dt.date | str, provider: str, c: Counter) -> tuple:
    return (day, provider, *graded(c))
