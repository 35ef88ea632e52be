"""``nemt decide FILE``: decide one ride request (acceptance README, "Command contracts").

Prints exactly one JSON object on stdout (outcome, mode, arranged_by, reason_codes, and the reasons with their
messages and citations) and exits 0 for every decision, denials and pending ones included. Malformed input exits 2
with the error line naming the bad field on stderr (:mod:`nemt.cli.errors`) and nothing on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from nemt import clock
from nemt.cli.errors import read_input, reported


def run_decide(raw: bytes, now: dt.datetime) -> dict[str, Any]:
    """Decide the input document ``raw``; raises ``ContractError`` when it is malformed."""
    from nemt.contracts.decide import parse_ride_request
    from nemt.domain.decisions import decide
    from nemt.policy import load_policy

    request = parse_ride_request(raw)
    return decide(request, load_policy(request.program), now).as_dict()


def decide_command(
    file: Path = typer.Argument(..., help="JSON ride request (the `input` object of a decisions/ case)."),
) -> None:
    """Decide a ride request: approved, denied or pending, with the mode, who arranges it, and the reasons."""
    raw = read_input(file)
    with reported():
        result = run_decide(raw, clock.now())
    sys.stdout.write(json.dumps(result) + "\n")  # ASCII-safe whatever the locale


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)
