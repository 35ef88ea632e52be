"""Benchmark: build and export N claim lines as one 837P interchange from synthetic trip-log legs.

Target: 100 000 lines in at most 30 s on the 2-core demo machine. Baseline run side by side: pyx12's validation
of the same file (the independent validator every export goes through), timed the same way.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

from nemt.billing.claim_rules import build_claims
from nemt.billing.fees import load_fee_schedule, price_claims
from nemt.billing.trip_log import Member, Stop, TripLogLeg
from nemt.billing.x12_837p import Address, BillingProviderInfo, Submitter, submissions_from_claims, write_837p
from nemt.billing.x12_validate import validate_x12
from nemt.domain.identifiers import make_npi
from nemt.policy import load_policy

__all__ = ["synthetic_legs", "run_benchmark"]

TARGET_SECONDS = 30.0


def synthetic_legs(lines: int, *, seed: int = 7, day: dt.date = dt.date(2026, 3, 2)) -> list[TripLogLeg]:
    """Wheelchair-van round trips (A0130 + S0209 per leg: two lines a leg, four a member). Fictitious data."""
    rng = random.Random(seed)
    npi = make_npi("199000001")
    legs: list[TripLogLeg] = []
    home = "1200 Example Ave, Denver, CO 80205"
    clinic = "Example Dialysis Denver, 300 Sample St, Denver, CO 80218"
    member_count = (lines + 3) // 4
    for m in range(member_count):
        member = Member(f"Z{m % 1_000_000:06d}", f"Bench Member{m}", dt.date(1950 + m % 50, 1 + m % 12, 1 + m % 28))
        miles = rng.randint(1, 40)
        for leg_no, (start, end, hour) in enumerate(((home, clinic, 8), (clinic, home, 12))):
            legs.append(TripLogLeg(
                leg_id=f"B{m}-{leg_no}", member=member, date_of_service=day, rendering_provider_npi=npi,
                mode="wheelchair-van", service_level=None, vehicle_id="WV-1", driver="Bench Driver",
                pickup=Stop(start, dt.time(hour, 5)), dropoff=Stop(end, dt.time(hour, 40)), loaded_miles=miles,
                status="completed", member_in_vehicle=True, identity_verified=True, trip_confirmed_by="member",
            ))
    return legs


def run_benchmark(*, lines: int = 100_000, with_baseline: bool = True, output: Path | None = None) -> dict[str, Any]:
    policy = load_policy("CO")
    schedule = load_fee_schedule(policy)
    legs = synthetic_legs(lines)
    # Member IDs must be unique per member for one claim each; Z + six digits caps this at 1e6 members.
    t0 = time.perf_counter()
    batch = build_claims(legs, (), policy)
    t1 = time.perf_counter()
    claims = price_claims(batch.claims, schedule)
    t2 = time.perf_counter()
    submissions = submissions_from_claims(claims, claim_number_prefix="BENCH")
    provider = BillingProviderInfo(
        "EXAMPLE BENCH TRANSIT", make_npi("199000001"), "343900000X", Address("100 Main St", "Denver", "CO", "80202"),
        "123456789",
    )
    text = write_837p(
        submissions, submitter=Submitter("EXAMPLE NEMT BROKER", "TP1234567", "BILLING DESK", "3035550100"),
        billing_provider=provider, interchange_control_number=1, group_control_number=1, policy=policy,
        created_at=dt.datetime(2026, 3, 3, 12, 0),
    )
    t3 = time.perf_counter()
    if output is not None:
        Path(output).write_text(text, encoding="ascii")
    line_count = sum(len(s.lines) for s in submissions)
    ours = t3 - t0
    result: dict[str, Any] = {
        "lines": line_count,
        "claims": len(submissions),
        "segments": text.count("~"),
        "bytes": len(text),
        "build_seconds": round(t1 - t0, 3),
        "price_seconds": round(t2 - t1, 3),
        "export_seconds": round(t3 - t2, 3),
        "total_seconds": round(ours, 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": ours <= TARGET_SECONDS,
    }
    if with_baseline:
        b0 = time.perf_counter()
        ok, errors = validate_x12(text)
        b1 = time.perf_counter()
        result["baseline"] = {
            "name": "pyx12 4.0.0 validation of the same 837P file (x12n_document)",
            "seconds": round(b1 - b0, 3),
            "valid": ok,
            "errors": errors[:5],
            "ratio_baseline_over_ours": round((b1 - b0) / ours, 2) if ours else None,
        }
    return result
