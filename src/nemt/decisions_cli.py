"""``nemt decide FILE``: decide one ride request (acceptance README, "Command contracts").

Prints exactly one JSON object on stdout (outcome, mode, arranged_by, reason_codes, and the reasons with their
messages and citations) and exits 0 for every decision, denials and pending ones included. Malformed input exits 2
with a message naming the bad field on stderr and nothing on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer

from nemt import clock

EXIT_MALFORMED = 2


def run_decide(raw: bytes, now: dt.datetime) -> dict:
    """Decide the input document ``raw``; raises ``ContractError`` when it is malformed."""
    from nemt.contracts.decide import parse_ride_request
    from nemt.domain.decisions import decide
    from nemt.policy import load_policy

    request = parse_ride_request(raw)
    return decide(request, load_policy(request.program), now).as_dict()


def register(app: typer.Typer, bench: typer.Typer) -> None:
    @app.command("decide")
    def decide_command(
        file: Path = typer.Argument(..., help="JSON ride request (the `input` object of a decisions/ case)."),
    ) -> None:
        """Decide a ride request: approved, denied or pending, with the mode, who arranges it, and the reasons."""
        from nemt.contracts import ContractError

        try:
            raw = file.read_bytes()
        except OSError as exc:
            typer.echo(f"nemt decide: FILE: cannot be read ({exc.strerror})", err=True)
            raise typer.Exit(EXIT_MALFORMED) from None
        try:
            result = run_decide(raw, clock.now())
        except ContractError as exc:
            typer.echo(f"nemt decide: {exc}", err=True)
            raise typer.Exit(EXIT_MALFORMED) from None
        sys.stdout.write(json.dumps(result) + "\n")  # ASCII-safe whatever the locale
