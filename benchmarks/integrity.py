"""``python -m benchmarks integrity``: the integrity edits and provider scores on a synthetic month of a
Colorado-sized region with known schemes injected (:mod:`benchmarks.integrity_world`), beside the baseline of the
manual's edits alone, run side by side on the same legs.

- **ours** — the program's ``[integrity]`` edits that hold a claim (:func:`nemt.domain.integrity.edits.integrity_edits`)
  and the legs of providers whose onset ``burst`` score (:func:`nemt.domain.integrity.scores.provider_scores`) is at
  least :data:`BURST_THRESHOLD`: a rise in weekly trips of half a typical provider's volume over the provider's own
  history is what a reviewer should look at (a steady provider scores about 0, a dormant one that starts billing
  like a typical provider about 1).
- **baseline (the manual's edits alone)** — loaded miles above the shortest route (with the same tolerance), one
  Health First Colorado ID per shared ride to one location (Exclusions), and the 52-unit review of 25 Mile or
  Longer Trips (claims over 52 mileage units suspended for review).

Figures: per scheme the recall (share of the scheme's legs flagged), the false-positive rate (share of clean legs
flagged, with the rules that flagged them), and the time to scan the month (ours: edits + scores).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from benchmarks.integrity_world import SCHEMES, World, generate
from nemt.domain.integrity.edits import config_of, integrity_edits
from nemt.domain.integrity.scores import provider_scores
from nemt.policy import Policy, load_policy

BURST_THRESHOLD = 0.5
TARGET_RECALL, TARGET_FP, TARGET_SECONDS = 0.95, 0.02, 60.0


def detect(world: World, policy: Policy) -> dict[str, set[str]]:
    """Ours: leg key -> the rules that flag it (holding edits and the burst score)."""
    flagged: dict[str, set[str]] = defaultdict(set)
    for hit in integrity_edits(world.month(), config_of(policy)):
        if hit.holds:
            flagged[hit.leg_key].add(hit.rule)
    for score in provider_scores(world.legs, world.period, world.history_weeks):
        if score.burst >= BURST_THRESHOLD:
            for key in score.legs:
                flagged[key].add("burst-score")
    return flagged


def baseline(world: World, policy: Policy) -> dict[str, set[str]]:
    """The manual's edits alone: shortest-route mileage, one ID per shared ride, the 52-unit review."""
    manual = frozenset({"route-miles-exceeded", "shared-ride-billed-twice"})
    cfg = replace(config_of(policy), enabled=manual, hold=manual)
    month = world.month()
    flagged: dict[str, set[str]] = defaultdict(set)
    for hit in integrity_edits(month, cfg):
        flagged[hit.leg_key].add(hit.rule)
    limit = int(policy.get("mileage_review.max_units_without_review"))
    for leg in month:
        if (leg.mileage_units or 0) > limit:
            flagged[leg.leg_key].add("52-unit-review")
    return flagged


def evaluate(world: World, flagged: dict[str, set[str]]) -> dict[str, Any]:
    labels = {leg.leg_key: world.label[leg.leg_key] for leg in world.month()}
    counts = Counter(labels.values())
    caught = Counter(label for key, label in labels.items() if key in flagged)
    fp_rules = Counter(rule for key, label in labels.items() if label == "clean" for rule in flagged.get(key, ()))
    recall = {s: round(caught[s] / counts[s], 4) if counts[s] else None for s in SCHEMES}
    fp = caught["clean"] / counts["clean"] if counts["clean"] else 0.0
    return {"recall": recall, "false_positive_rate": round(fp, 4), "false_positives": caught["clean"],
            "false_positives_by_rule": dict(fp_rules.most_common())}


def run_benchmark(seed: int = 7, providers: int = 40, days: int = 30, program: str = "CO") -> dict[str, Any]:
    policy = load_policy(program)
    t0 = time.perf_counter()
    world = generate(seed=seed, providers=providers, days=days)
    generated = time.perf_counter() - t0
    month = world.month()
    t0 = time.perf_counter()
    ours = detect(world, policy)
    ours_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = baseline(world, policy)
    base_seconds = time.perf_counter() - t0
    ours_eval, base_eval = evaluate(world, ours), evaluate(world, base)
    met = (all(r is not None and r >= TARGET_RECALL for r in ours_eval["recall"].values())
           and ours_eval["false_positive_rate"] <= TARGET_FP and ours_seconds < TARGET_SECONDS)
    return {
        "seed": seed, "program": program, "providers": providers, "period": [d.isoformat() for d in world.period],
        "legs_in_month": len(month), "legs_with_history": len(world.legs),
        "legs_by_label": dict(Counter(world.label[leg.leg_key] for leg in month).most_common()),
        "generate_seconds": round(generated, 2),
        "ours": {**ours_eval, "scan_seconds": round(ours_seconds, 2)},
        "baseline_manual_edits_alone": {**base_eval, "scan_seconds": round(base_seconds, 2)},
        "target": {"recall": TARGET_RECALL, "false_positive_rate": TARGET_FP, "scan_seconds": TARGET_SECONDS},
        "target_met": met,
    }
