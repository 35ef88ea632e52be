"""Eligibility with the payer: ``nemt eligibility inquiry|read-271|import-834`` (docs/eligibility.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from nemt.cli.errors import date_option, existing_file, read_input, run
from nemt.cli.programs import program_help

eligibility_app = typer.Typer(no_args_is_help=True, help="Eligibility with the payer: 270/271 and 834 files.")


def _text(path: Path) -> str:
    content = read_input(existing_file(path))
    return content.decode("ascii", errors="replace")


@eligibility_app.command("inquiry")
def inquiry(member: str = typer.Argument(..., help="the member's key"),
            date: str = typer.Argument(..., help="the date of service, YYYY-MM-DD")) -> None:
    """Write a 270 for the member and date of service into the file drop (NEMT_EDI_OUTBOX)."""
    from nemt.services.members.eligibility_edi import inquiry as send

    day = date_option(date, "date")
    result = run(lambda uow, actor: send(uow, actor, member, day))
    typer.echo(f"270 {result.trace} for {result.date_of_service.isoformat()}: {result.location}")


@eligibility_app.command("read-271")
def read_271(file: Path = typer.Argument(..., help="the payer's 271")) -> None:
    """Record the payer's 271 answers on our inquiries: all of the file's answers or none."""
    from nemt.services.members.eligibility_edi import read_271 as read

    text = _text(file)
    for r in run(lambda uow, actor: read(uow, actor, text)):
        said = ("active" if r.active else "not active") if r.status == "answered" else r.status
        detail = ", ".join(r.plans) if r.status == "answered" else "; ".join(r.reasons)
        typer.echo(f"{r.trace}  member {r.member}  {r.date_of_service.isoformat()}  {said}  {detail}".rstrip())


@eligibility_app.command("import-834")
def import_834(file: Path = typer.Argument(..., help="an 834 enrollment file"),
               program: str = typer.Option("CO", help=program_help())) -> None:
    """Create or update members and coverage spans from an 834: all members or none."""
    from nemt.services.members.eligibility_edi import import_834 as load

    text = _text(file)
    result = run(lambda uow, actor: load(uow, actor, text, program.upper(), str(file)))
    if result.unchanged:
        typer.echo(f"{file}: already imported (sha256 {result.sha256[:12]}…); nothing changed")
    else:
        typer.echo(f"{file}: {result.rows} coverage spans, {result.created} members created, {result.updated} updated")


def register(app: typer.Typer) -> None:
    app.add_typer(eligibility_app, name="eligibility")
