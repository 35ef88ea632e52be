"""Complaint commands: list a program's complaints (overdue ones marked), show one, and the complaints report (per
1,000 completed trips by provider and category; as CSV with ``--csv``). Complaints are named by their key, never by
a member's data."""

from __future__ import annotations

import json

import typer

from nemt import clock
from nemt.cli.errors import date_option, run

complaints_app = typer.Typer(no_args_is_help=True, help="Complaints and grievances: list, show, the report.")


def _json(value: object) -> str:
    return json.dumps(value, indent=1, default=str)


@complaints_app.command("list")
def complaints_list(program: str = typer.Option("CO", help="CO | CT"),
                    status: str = typer.Option("", help="open | investigating | resolved (default: any)")) -> None:
    """The program's complaints, newest first, each with its due day and whether it is overdue."""
    from nemt.services import complaints

    def listed(uow, actor):
        found = complaints.list_complaints(uow, actor, clock.now(), status=status or None, program=program.upper())
        return [{k: v for k, v in complaints.describe(view).items() if k not in ("notes", "notices", "description")}
                for view in found]

    typer.echo(_json(run(listed)))


@complaints_app.command("show")
def complaints_show(key: str = typer.Argument(..., help="the complaint's key (from `nemt complaints list`)")) -> None:
    """One complaint with its notes and the member's notice."""
    from nemt.services import complaints

    typer.echo(_json(run(lambda uow, actor: complaints.describe(complaints.get_complaint(uow, actor, key,
                                                                                         clock.now())))))


@complaints_app.command("report")
def complaints_report(program: str = typer.Option("CO", help="CO | CT"),
                      start: str = typer.Option(..., help="first day received, YYYY-MM-DD"),
                      end: str = typer.Option(..., help="last day received, YYYY-MM-DD"),
                      csv: bool = typer.Option(False, "--csv", help="print the table as CSV")) -> None:
    """Complaints per 1,000 completed one-way trips by provider and category, and the percent of trips."""
    from nemt.services import complaints

    first, last = date_option(start, "--start"), date_option(end, "--end")
    report = run(lambda uow, actor: complaints.complaints_report(uow, actor, first, last, program=program))
    if csv:
        typer.echo(report.csv(), nl=False)
        return
    typer.echo(report.description)
    for row in report.rows:
        per_thousand = "—" if row[4] is None else f"{row[4]:g} per 1,000"
        typer.echo(f"  {row[0]} · {row[1]}: {row[2]} of {row[3]} trips ({per_thousand})")


def register(app: typer.Typer) -> None:
    app.add_typer(complaints_app, name="complaints")
