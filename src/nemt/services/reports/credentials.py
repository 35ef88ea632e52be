"""The credentials report: driver and vehicle credentials expiring within 30, 60 and 90 days."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from nemt import clock
from nemt.services.network import ExpiringCredential, expiring_credentials
from nemt.services.reports.report import Report

BUCKETS = ("30", "60", "90")


def bucket(days_left: int) -> str:
    return "30" if days_left <= 30 else "60" if days_left <= 60 else "90"


def bucket_counts(found: list[ExpiringCredential], within: int = 90) -> list[tuple[str, float]]:
    """How many credentials expire within 30, 60 and 90 days (up to ``within``), for the chart."""
    counts = Counter(bucket(e.days_left) for e in found)
    return [(f"within {b} days", float(counts[b])) for b in BUCKETS if int(b) <= within]


def credentials(uow, actor, start, end, policy, today: dt.date | None = None) -> Report:
    today = today or clock.today(policy.time_zone)
    found = expiring_credentials(uow, actor, today, 90)
    rows = [(bucket(e.days_left), e.provider, e.subject, e.credential, e.expires_on, e.days_left) for e in found]
    report = Report("credentials", "Credentials expiring", f"Driver and vehicle credentials expiring within 30, 60 "
                    f"and 90 days of {today.isoformat()} (counted from today: the period does not apply).",
                    ("within days", "provider", "driver or vehicle", "credential", "expires on", "days left"), rows,
                    citation=policy.cite("credentials") if policy.has("credentials") else "")
    report.chart_items = lambda: bucket_counts(found)  # type: ignore[method-assign]
    return report
