"""Ride commands: the pending worklist of a program, and recording a medical professional's written certification
(the member's pending rides are decided again). Members are named by their opaque key (``nemt rides pending``
prints it), never by Medicaid ID or name on a command line."""

from __future__ import annotations

import json

import typer

from nemt import clock
from nemt.cli.errors import date_option, run

rides_app = typer.Typer(no_args_is_help=True, help="Rides: the pending worklist, certifications.")


@rides_app.command("pending")
def rides_pending(program: str = typer.Option("CO", help="CO | CT")) -> None:
    """The program's rides waiting for a certification or a prior authorization, with what each waits for."""
    from nemt.services import rides

    def pending(uow, actor):
        return rides.describe_pending(uow, rides.pending_rides(uow, actor, clock.now(), program=program.upper()))

    typer.echo(json.dumps(run(pending), indent=1))


@rides_app.command("certify")
def rides_certify(member: str = typer.Argument(..., help="the member's key (from `nemt rides pending`)"),
                  statement: list[str] = typer.Option(..., "--statement", help=(
                      "what was certified, from the needs vocabulary (repeat: --statement cannot-use-less-costly-modes "
                      "--statement wheelchair-confined)")),
                  by: str = typer.Option(..., "--by", help="who signed (the medical professional)"),
                  on: str = typer.Option(..., "--on", help="the signature date, YYYY-MM-DD")) -> None:
    """Record a written certification; the member's pending rides are decided again and the member notified."""
    from nemt.services import rides

    signed = date_option(on, "--on")

    def certify(uow, actor):
        command = rides.parse_input(rides.CertificationIn, {"statements": statement, "certified_by": by,
                                                            "certified_on": signed})
        return rides.describe_certification(rides.record_certification(uow, actor, member, command, clock.now()))

    typer.echo(json.dumps(run(certify), indent=1))


def register(app: typer.Typer) -> None:
    app.add_typer(rides_app, name="rides")
