"""``nemt expenses …``: meals and lodging of a trip with their receipts (Ancillary Services: Meals/Lodging) — record
one, list a trip's, write a receipt to a file. Thin: parse the options, call :mod:`nemt.services.claims.expenses`,
print JSON. Trips and expenses are named by their key, never by a member's data; ``nemt claims build`` bills them.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nemt import clock
from nemt.cli.errors import read_input, run

expenses_app = typer.Typer(no_args_is_help=True, help="Meals and lodging with receipts: record, list, receipt.")


def _json(value: object) -> str:
    return json.dumps(value, indent=1, default=str)


@expenses_app.command("record")
def record(trip: str = typer.Option(..., "--trip", help="the trip's key"),
           kind: str = typer.Option(..., "--kind", help="meals | lodging"),
           person: str = typer.Option("member", "--for", help="member | escort"),
           escort_number: int | None = typer.Option(None, "--escort-number", help="which escort (1, 2)"),
           service_date: str = typer.Option(..., "--date", help="the day of the meals or the night (YYYY-MM-DD)"),
           amount: str = typer.Option(..., "--amount", help="the amount charged, e.g. 41.20"),
           out_of_state: bool = typer.Option(False, "--out-of-state", help="authorized out-of-state treatment"),
           inpatient_stay: bool = typer.Option(False, "--inpatient-stay", help="part of an inpatient stay"),
           receipt: Path = typer.Option(..., "--receipt", help="the receipt: a PDF, PNG or JPEG file")) -> None:
    """Record a meals or lodging receipt of a trip; impossible entries are refused naming the field and the rule."""
    from nemt.services.claims.expenses import ExpenseIn, record_expense
    from nemt.services.rides import parse_input

    content = read_input(receipt, "--receipt")

    def recorded(uow, actor):
        command = parse_input(ExpenseIn, {"kind": kind, "for": person, "escort_number": escort_number,
                                          "service_date": service_date, "amount": amount,
                                          "out_of_state": out_of_state, "inpatient_stay": inpatient_stay})
        return record_expense(uow, actor, trip, command, content, clock.now()).as_dict()

    typer.echo(_json(run(recorded)))


@expenses_app.command("list")
def listed(trip: str = typer.Option(..., "--trip", help="the trip's key")) -> None:
    """A trip's meals and lodging, each with the claim it was billed on."""
    from nemt.services.claims.expenses import trip_expenses

    typer.echo(_json(run(lambda uow, actor: [v.as_dict() for v in trip_expenses(uow, actor, trip)])))


@expenses_app.command("receipt")
def receipt(key: str = typer.Argument(..., help="the expense's key"),
            out: Path = typer.Option(..., "--out", help="the file to write the receipt to")) -> None:
    """Write an expense's receipt to a file."""
    from nemt.services.claims.expenses import expense_receipt

    content, media_type = run(lambda uow, actor: expense_receipt(uow, actor, key))
    out.write_bytes(content)
    typer.echo(_json({"expense": key, "receipt_type": media_type, "bytes": len(content), "out": str(out)}))


def register(app: typer.Typer) -> None:
    app.add_typer(expenses_app, name="expenses")
