"""``nemt bill FILE``: NEMT claims and edits from one provider's Standard Trip Log, by the claim rules of the program
the input names (``program``; Colorado's are the Health First Colorado NEMT Billing Manual's).

Prints exactly one JSON object ``{"claims": [...], "edits": [...]}`` on stdout and exits 0 for every well-formed
input; malformed input exits 2 with nothing on stdout and the error line naming the field's path on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nemt.cli.errors import read_input, reported

if TYPE_CHECKING:
    from nemt.billing.claim_rules import Claim, ClaimBatch

__all__ = ["register", "bill_output", "run_bill"]


def _claim_output(claim: Claim, emergency_indicator: str) -> dict[str, Any]:
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
    return entry


def bill_output(batch: ClaimBatch, emergency_indicator: str = "N") -> dict[str, Any]:
    """The JSON document of ``nemt bill``: the README's keys plus charges, rendering NPI, diagnosis pointer,
    emergency indicator and a citation per edit (extra keys are allowed by the contract)."""
    claims = [_claim_output(claim, emergency_indicator) for claim in batch.claims]
    edits = [{"code": e.code, "ref": e.ref, "message": e.message, "citation": e.citation} for e in batch.edits]
    return {"claims": claims, "edits": edits}


def run_bill(text: str | bytes) -> dict[str, Any]:
    """Parse, build and price (placeholder rates; a line without a rate keeps no charge). Raises ContractError."""
    from nemt.billing.claim_rules import ClaimBatch, build_claims
    from nemt.billing.fees import FeeScheduleError, load_fee_schedule, price_claims
    from nemt.contracts.bill import parse_bill

    trip_log, policy = parse_bill(text)
    batch = build_claims(trip_log.legs, trip_log.ancillary, policy)
    try:
        schedule = load_fee_schedule(policy)
        batch = ClaimBatch(claims=price_claims(batch.claims, schedule, strict=False), edits=batch.edits)
    except FeeScheduleError as exc:  # pricing is informative here; the claim rules do not depend on it
        print(f"warning: {exc}", file=sys.stderr)
    return bill_output(batch, policy.get("claims.emergency_indicator"))


def bill(file: Path = typer.Argument(..., help="JSON trip log of one billing provider (legs + ancillary)")) -> None:
    """Build NEMT claims and edits from one provider's Standard Trip Log, by the claim rules of the program the
    input names (its "program" field; a program whose policy states no claim rules is refused)."""
    text = read_input(file)
    with reported():
        document = run_bill(text)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    app.command("bill")(bill)
