"""Benchmark: the money path at N claim lines, each file beside pyx12's validation of the same file.

Two money paths (Health First Colorado NEMT Billing Manual — Payment for Covered Services; :mod:`nemt.billing.payers`):

- **department** — outside the broker service area a provider bills the Department: N lines built from synthetic
  trip-log legs (:func:`nemt.billing.claim_rules.build_claims`), priced (:mod:`nemt.billing.fees`) and written as one
  837P (:func:`nemt.billing.x12_837p.write_837p`).
- **broker** — inside it, ``providers`` providers bill the State Contracted Broker: N more lines, built and priced the
  same way, one 837P per provider addressed to the broker (``broker_claims``); the broker adjudicates them with the
  Department's fee schedule and the build's edits (:func:`nemt.billing.broker_adjudication.adjudicate`, the function
  ``nemt claims`` pays with) and pays each provider with one 835 (:func:`nemt.billing.x12_835_writer.write_835`,
  ``broker_835``); the trips it paid go to the Department as one encounter 837P per provider, BHT06 = RP
  (:func:`nemt.billing.payers.write_encounter_file`, ``encounters``).

These are the pure functions the platform's services call (``services/claims/export.py``, ``broker.py``); the
services add the database (reading the claims, control numbers, statuses), which this benchmark leaves out.

For each file kind: lines, claims, files, bytes, our seconds (and per stage), lines per second, the peak Python heap
of our work (tracemalloc, in a second run of the same step so the timing is not slowed by it), and pyx12's seconds
to validate the same files (pyx12 4.0.0, ``x12n_document``, the validator every export goes through: the named
baseline). Target: the department's 100 000 lines in at most 30 s. Fictitious data throughout.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import random
import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nemt.billing.broker_adjudication import adjudicate, claim_to_pay
from nemt.billing.claim_rules import Claim, build_claims
from nemt.billing.fees import FeeSchedule, load_fee_schedule, price_claims
from nemt.billing.payers import PayerPath, broker_party, payer_of, receiver_of, write_encounter_file
from nemt.billing.trip_log import Member, Stop, TripLogLeg
from nemt.billing.x12_835_writer import PaidClaim, Party, write_835
from nemt.billing.x12_837p import (
    MAX_LINES_PER_CLAIM,
    Address,
    BillingProviderInfo,
    ClaimSubmission,
    Submitter,
    submissions_from_claims,
    write_837p,
)
from nemt.billing.x12_validate import validate_x12
from nemt.domain.identifiers import make_npi
from nemt.policy import Policy, load_policy

__all__ = ["FILE_KINDS", "run_benchmark", "synthetic_legs"]

TARGET_SECONDS = 30.0
FILE_KINDS = ("department_837p", "broker_claims_837p", "broker_835", "encounter_837p")
BASELINE = "pyx12 4.0.0 validation of the same files (x12n_document)"
CREATED = dt.datetime(2026, 3, 3, 12, 0)
PAID_ON = dt.date(2026, 3, 10)
_DEPARTMENT_PLACES = ("1200 Example Ave, Pueblo, CO 81003", "Example Dialysis Pueblo, 300 Sample St, Pueblo, CO 81004")
_BROKER_PLACES = ("1200 Example Ave, Denver, CO 80205", "Example Dialysis Denver, 300 Sample St, Denver, CO 80218")


def synthetic_legs(lines: int, *, seed: int = 7, day: dt.date = dt.date(2026, 3, 2), npi: str | None = None,
                   first_member: int = 0, places: tuple[str, str] = _DEPARTMENT_PLACES) -> list[TripLogLeg]:
    """Wheelchair-van round trips (A0130 + S0209 per leg: two lines a leg, four a member). Fictitious data."""
    rng = random.Random(seed)
    npi = npi or make_npi("199000001")
    legs: list[TripLogLeg] = []
    home, clinic = places
    for m in range(first_member, first_member + (lines + 3) // 4):
        # Member IDs must be unique per member for one claim each; Z + six digits caps this at 1e6 members.
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


@dataclass
class _Provider:
    info: BillingProviderInfo
    submitter: Submitter
    legs: list[TripLogLeg] = field(default_factory=list)


def _provider(n: int, name: str) -> _Provider:
    npi = make_npi(f"1990{n:05d}")
    info = BillingProviderInfo(name, npi, "343900000X", Address("100 Main St", "Denver", "CO", "80202"), "123456789")
    return _Provider(info, Submitter(name, f"TP{n:07d}", "BILLING DESK", "3035550100"))


@dataclass
class _Files:
    """What one step wrote: the files and the lines and claims they hold; ``stages``: our seconds per stage."""

    texts: list[str]
    lines: int
    claims: int
    stages: dict[str, float]
    carry: Any = None  # what the next step needs


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self._last = now


def _claims(legs: Sequence[TripLogLeg], policy: Policy, schedule: FeeSchedule, clock: _Clock
            ) -> tuple[list[Claim], dict[str, list[str]]]:
    """The priced claims of the legs and the codes of their edits by leg (as a build stores them on the claim)."""
    batch = build_claims(legs, (), policy)
    clock.lap("build")
    claims = list(price_claims(batch.claims, schedule))
    clock.lap("price")
    edits: dict[str, list[str]] = {}
    for edit in batch.edits:
        edits.setdefault(edit.ref, []).append(edit.code)
    return claims, edits


def _department(legs: list[TripLogLeg], policy: Policy, schedule: FeeSchedule) -> _Files:
    clock = _Clock()
    claims, _ = _claims(legs, policy, schedule, clock)
    values = submissions_from_claims(claims, claim_number_prefix="BENCH")
    provider = _provider(1, "EXAMPLE BENCH TRANSIT")
    text = write_837p(values, submitter=Submitter("EXAMPLE NEMT BROKER", "TP1234567", "BILLING DESK", "3035550100"),
                      billing_provider=provider.info, interchange_control_number=1, group_control_number=1,
                      policy=policy, created_at=CREATED)
    clock.lap("write")
    return _Files([text], sum(len(v.lines) for v in values), len(values), clock.stages)


def _edit_codes(claims: list[Claim], edits: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """Each submission's edit codes: its claim's legs' (a claim over MAX_LINES_PER_CLAIM lines is several)."""
    out = []
    for claim in claims:
        codes = tuple(dict.fromkeys(c for ref in dict.fromkeys(ln.ref for ln in claim.lines)
                                    for c in edits.get(ref, ())))
        out += [codes] * -(-len(claim.lines) // MAX_LINES_PER_CLAIM)
    return out


def _broker_claims(providers: list[_Provider], policy: Policy, schedule: FeeSchedule) -> _Files:
    """Each provider's claims to the broker: one 837P per provider addressed to the broker (loops 1000B, 2010BB)."""
    clock, texts, sent = _Clock(), [], []
    broker = payer_of(PayerPath.BROKER, policy)
    for n, provider in enumerate(providers, start=1):
        claims, edits = _claims(provider.legs, policy, schedule, clock)
        values = [replace(v, payer_id=broker.id)
                  for v in submissions_from_claims(claims, claim_number_prefix=f"P{n:03d}-")]
        texts.append(write_837p(values, submitter=provider.submitter, billing_provider=provider.info,
                                interchange_control_number=n, group_control_number=n, policy=policy,
                                created_at=CREATED, receiver=receiver_of(PayerPath.BROKER, policy), payer=broker))
        clock.lap("write")
        sent.append((provider, values, _edit_codes(claims, edits)))
    return _Files(texts, sum(len(v.lines) for _, values, _ in sent for v in values),
                  sum(len(values) for _, values, _ in sent), clock.stages, sent)


def _broker_835(sent: list[tuple[_Provider, list[ClaimSubmission], list[tuple[str, ...]]]], policy: Policy,
                schedule: FeeSchedule) -> _Files:
    """The broker pays each provider: its claims adjudicated, one 835 per provider (CLP02 1 paid, 4 denied)."""
    clock, texts, paid_out = _Clock(), [], []
    payer, frequency = broker_party(policy), str(policy.get("claims.frequency_original"))
    for n, (provider, values, codes) in enumerate(sent, start=1):
        paid = adjudicate([claim_to_pay(v, frequency, c) for v, c in zip(values, codes, strict=True)], schedule)
        clock.lap("adjudicate")
        payee = Party(provider.info.name, provider.info.npi, provider.info.address, provider.info.tax_id)
        texts.append(write_835(paid, payer=payer, payee=payee, trace_number=f"BRK{n:09d}", paid_on=PAID_ON,
                               interchange_control_number=n, group_control_number=n, created_at=CREATED))
        clock.lap("write")
        paid_out.append((provider, values, paid))
    return _Files(texts, sum(len(c.lines) for _, _, paid in paid_out for c in paid),
                  sum(len(paid) for _, _, paid in paid_out), clock.stages, paid_out)


def _encounters(paid_out: list[tuple[_Provider, list[ClaimSubmission], list[PaidClaim]]], policy: Policy) -> _Files:
    """The trips the broker paid, reported to the Department: one encounter 837P (BHT06 = RP) per provider."""
    clock, texts, lines, claims = _Clock(), [], 0, 0
    for n, (provider, values, paid) in enumerate(paid_out, start=1):
        reported = [v for v, p in zip(values, paid, strict=True) if p.paid > 0]
        if not reported:
            continue
        texts.append(write_encounter_file(reported, policy=policy, billing_provider=provider.info,
                                          interchange_control_number=n, group_control_number=n, created_at=CREATED))
        clock.lap("write")
        lines, claims = lines + sum(len(v.lines) for v in reported), claims + len(reported)
    return _Files(texts, lines, claims, clock.stages)


def _peak_mib(step: Callable[[], _Files]) -> float:
    """The peak Python heap of a second run of ``step`` (tracemalloc: what the step allocates beyond its inputs)."""
    gc.collect()
    tracemalloc.start()
    try:
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 2)


def _baseline(texts: list[str]) -> dict[str, Any]:
    t0, errors, valid = time.perf_counter(), [], True
    for text in texts:
        ok, messages = validate_x12(text)
        valid, errors = valid and ok, errors + messages
    seconds = time.perf_counter() - t0
    return {"seconds": round(seconds, 3), "valid": valid, "errors": errors[:5]}


def _measure(step: Callable[[], _Files], *, memory: bool, with_baseline: bool) -> tuple[dict[str, Any], _Files]:
    t0 = time.perf_counter()
    files = step()
    seconds = time.perf_counter() - t0
    figures: dict[str, Any] = {
        "lines": files.lines, "claims": files.claims, "files": len(files.texts),
        "bytes": sum(len(t) for t in files.texts), "segments": sum(t.count("~") for t in files.texts),
        "seconds": round(seconds, 3), "lines_per_second": round(files.lines / seconds) if seconds else None,
        "stages": {k: round(v, 3) for k, v in files.stages.items()},
    }
    if memory:
        figures["peak_heap_mib"] = _peak_mib(step)
    if with_baseline:
        figures["baseline"] = _baseline(files.texts)
        base = figures["baseline"]["seconds"]
        figures["baseline"]["ratio_baseline_over_ours"] = round(base / seconds, 2) if seconds else None
    return figures, files


def _broker_providers(lines: int, providers: int) -> list[_Provider]:
    """``providers`` broker-area providers sharing ``lines`` lines (whole members of four lines each)."""
    members = (lines + 3) // 4
    out = [_provider(100 + n, f"EXAMPLE BROKER AREA TRANSIT {n}") for n in range(1, providers + 1)]
    start = members  # member numbers after the department's
    for n, provider in enumerate(out):
        count = members // providers + (1 if n < members % providers else 0)
        provider.legs = synthetic_legs(count * 4, seed=100 + n, npi=provider.info.npi, first_member=start,
                                       places=_BROKER_PLACES)
        start += count
    return out


def run_benchmark(*, lines: int = 100_000, with_baseline: bool = True, output: Path | None = None,
                  providers: int = 20, memory: bool = True) -> dict[str, Any]:
    """Both money paths at ``lines`` claim lines each (see the module's docstring); ``output``: a folder to keep
    every file in (``<kind>-<n>.x12``)."""
    if lines < 4 or providers < 1 or providers > max(1, lines // 4):
        raise ValueError("lines must be at least 4 and providers between 1 and lines / 4")
    policy = load_policy("CO")
    schedule = load_fee_schedule(policy)
    legs = synthetic_legs(lines)
    broker_area = _broker_providers(lines, providers)
    result: dict[str, Any] = {"lines": lines, "providers": providers, "files": {}}
    carry: Any = None

    def steps() -> dict[str, Callable[[], _Files]]:
        return {"department_837p": lambda: _department(legs, policy, schedule),
                "broker_claims_837p": lambda: _broker_claims(broker_area, policy, schedule),
                "broker_835": lambda: _broker_835(carry, policy, schedule),
                "encounter_837p": lambda: _encounters(carry, policy)}

    for kind, step in steps().items():
        figures, files = _measure(step, memory=memory, with_baseline=with_baseline)
        result["files"][kind] = figures
        carry = files.carry if files.carry is not None else carry
        if output is not None:
            _keep(Path(output), kind, files.texts)
    department = result["files"]["department_837p"]
    result.update(target_seconds=TARGET_SECONDS, within_target=department["seconds"] <= TARGET_SECONDS,
                  process_peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  machine={"cpus": os.cpu_count(), "python": platform.python_version(),
                           "load_average_1min": round(os.getloadavg()[0], 2)})
    if with_baseline:
        result["baseline"] = {"name": BASELINE,
                              "seconds": round(sum(f["baseline"]["seconds"] for f in result["files"].values()), 3),
                              "valid": all(f["baseline"]["valid"] for f in result["files"].values())}
    return result


def _keep(folder: Path, kind: str, texts: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(texts, start=1):
        (folder / f"{kind}-{n}.x12").write_text(text, encoding="ascii")
