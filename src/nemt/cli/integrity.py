"""``nemt integrity case open|hold|note|release|deny|list``: review cases on transportation providers (issue 15).
Thin: parse arguments, call :mod:`nemt.services.integrity`, print JSON.

A case holding a provider's claims is a payment suspension (42 CFR 455.23; Colorado HB24-1146): while it holds them,
``nemt claims export`` skips that provider's claims and says so. The commands act as the system (the operator at the
console); every step is in the audit trail. Exit status 2 on an error the user can fix (the field and the rule).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from nemt.cli.errors import run

integrity_app = typer.Typer(no_args_is_help=True, help="Program integrity: review cases on transportation providers.")
case_app = typer.Typer(no_args_is_help=True,
                       help="Review cases: open, hold the provider's claims (a payment suspension), note, release, "
                            "deny, list.")
_REASON = typer.Option(..., "--reason", help="why (recorded with who and when)")


def _print(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


@case_app.command("open")
def open_(provider: str = typer.Option(..., "--provider", help="the transportation provider's NPI"),
          reason: str = _REASON) -> None:
    """Open a review case on a provider (one active case per provider)."""
    from nemt.services.integrity import open_case

    _print(run(lambda uow, actor: open_case(uow, actor, provider, reason)).as_dict())


@case_app.command("hold")
def hold(case: str = typer.Argument(..., help="the case number (RC000001)"), reason: str = _REASON) -> None:
    """Hold the provider's claims from export: a payment suspension."""
    from nemt.services.integrity import hold_case

    _print(run(lambda uow, actor: hold_case(uow, actor, case, reason)).as_dict())


@case_app.command("note")
def note(case: str = typer.Argument(..., help="the case number"),
         text: str = typer.Option(..., "--text", help="the finding (append-only)")) -> None:
    """Note a finding on an open or held case."""
    from nemt.services.integrity import note_case

    _print(run(lambda uow, actor: note_case(uow, actor, case, text)).as_dict())


@case_app.command("release")
def release(case: str = typer.Argument(..., help="the case number"), reason: str = _REASON) -> None:
    """Close the case; the provider's claims are exportable again."""
    from nemt.services.integrity import release_case

    _print(run(lambda uow, actor: release_case(uow, actor, case, reason)).as_dict())


@case_app.command("deny")
def deny(case: str = typer.Argument(..., help="the case number"), reason: str = _REASON) -> None:
    """Close the case denying the held claims (each with the rule among its edits)."""
    from nemt.services.integrity import deny_case

    _print(run(lambda uow, actor: deny_case(uow, actor, case, reason)).as_dict())


@case_app.command("list")
def list_(status: str | None = typer.Option(None, help="open, held, released or denied"),
          provider: str | None = typer.Option(None, "--provider", help="one provider's (NPI)")) -> None:
    """The review cases, newest first."""
    from nemt.services.integrity import list_cases

    cases = run(lambda uow, actor: list_cases(uow, actor, status=status, provider_npi=provider))
    _print([c.as_dict() for c in cases])


def register(app: typer.Typer) -> None:
    integrity_app.add_typer(case_app, name="case")
    app.add_typer(integrity_app, name="integrity")
