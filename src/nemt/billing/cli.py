"""``nemt bill FILE`` and ``nemt bench claims``.

``bill`` prints exactly one JSON object ``{"claims": [...], "edits": [...]}`` on stdout and exits 0 for every
well-formed input; malformed input exits 2 with nothing on stdout and a message naming the field's path on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from nemt.billing.claim_rules import ClaimBatch, build_claims
from nemt.billing.fees import FeeScheduleError, load_fee_schedule, price_claims
from nemt.contracts import ContractError
from nemt.contracts.bill import parse_bill_input
from nemt.policy import load_policy

__all__ = ["register", "bill_output", "run_bill"]

EXIT_MALFORMED = 2


def bill_output(batch: ClaimBatch, emergency_indicator: str = "N") -> dict[str, Any]:
    """The JSON document of ``nemt bill``: the README's keys plus charges, rendering NPI, diagnosis pointer,
    emergency indicator and a citation per edit (extra keys are allowed by the contract)."""
    claims = []
    for claim in batch.claims:
        lines = []
        for line in claim.lines:
            item: dict[str, Any] = {
                "hcpcs": line.hcpcs,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "from_date": line.from_date.isoformat(),
                "to_date": line.to_date.isoformat(),
                "place_of_service": line.place_of_service,
                "rendering_provider_npi": line.rendering_provider_npi,
                "diagnosis_pointer": 1,
                "emergency_indicator": emergency_indicator,
                "ref": line.ref,
            }
            if line.charge is not None:
                item["charge"] = str(line.charge)
            lines.append(item)
        entry: dict[str, Any] = {
            "member_id": claim.member_id,
            "place_of_service": claim.place_of_service,
            "diagnosis": claim.diagnosis,
            "lines": lines,
        }
        if claim.total_charge is not None:
            entry["total_charge"] = str(claim.total_charge)
        claims.append(entry)
    edits = [{"code": e.code, "ref": e.ref, "message": e.message, "citation": e.citation} for e in batch.edits]
    return {"claims": claims, "edits": edits}


def run_bill(text: str | bytes) -> dict[str, Any]:
    """Parse, build and price (placeholder rates; a line without a rate keeps no charge). Raises ContractError."""
    policy = load_policy("CO")
    trip_log = parse_bill_input(text, policy)
    batch = build_claims(trip_log.legs, trip_log.ancillary, policy)
    try:
        schedule = load_fee_schedule(policy)
        batch = ClaimBatch(claims=price_claims(batch.claims, schedule, strict=False), edits=batch.edits)
    except FeeScheduleError as exc:  # pricing is informative here; the claim rules do not depend on it
        print(f"warning: {exc}", file=sys.stderr)
    return bill_output(batch, policy.get("claims.emergency_indicator"))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    @app.command("bill")
    def bill(file: Path = typer.Argument(..., help="JSON trip log of one billing provider (legs + ancillary)")) -> None:
        """Build Health First Colorado NEMT claims and edits from one provider's Standard Trip Log."""
        try:
            text = file.read_bytes()
        except OSError as exc:
            print(f"(file): cannot be read: {exc.strerror}", file=sys.stderr)
            raise typer.Exit(EXIT_MALFORMED) from None
        try:
            document = run_bill(text)
        except ContractError as exc:
            print(f"malformed input: {exc}", file=sys.stderr)
            raise typer.Exit(EXIT_MALFORMED) from None
        sys.stdout.write(json.dumps(document, indent=2) + "\n")

    @bench.command("claims")
    def bench_claims(
        lines: int = typer.Option(100_000, help="claim lines to build and export as 837P"),
        baseline: bool = typer.Option(True, help="also validate the same file with pyx12 (the named baseline)"),
        output: Path | None = typer.Option(None, help="keep the 837P file here"),
    ) -> None:
        """Build and export N claim lines as 837P (synthetic legs); baseline: pyx12 validation of the same file."""
        from nemt.billing.bench import run_benchmark

        result = run_benchmark(lines=lines, with_baseline=baseline, output=output)
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
