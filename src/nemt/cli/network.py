"""Provider-network commands: imports, expiring credentials, the closest qualified provider."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nemt import clock
from nemt.cli.errors import date_option, existing_file, fail, reported

providers_app = typer.Typer(no_args_is_help=True, help="Transportation and medical providers, drivers, vehicles.")

KINDS = ("transport", "drivers", "vehicles", "medical")


def _import_rows(kind: str, file: Path, program: str) -> int:
    from nemt.domain.actors import Actor
    from nemt.services import network
    from nemt.store.uow import UnitOfWork

    actor, name, content = Actor.system(f"providers-import-{kind}"), str(file), file.read_bytes()
    with UnitOfWork() as uow:
        if kind == "transport":
            return network.import_transport_providers(uow, actor, program, name, content)
        if kind == "drivers":
            return network.import_drivers(uow, actor, name, content)
        if kind == "vehicles":
            return network.import_vehicles(uow, actor, name, content, program)
        return network.import_medical_providers(uow, actor, program, name, content)


@providers_app.command("import")
def providers_import(kind: str = typer.Argument(..., help="transport | drivers | vehicles | medical"),
                     file: Path = typer.Argument(...), program: str = typer.Option("CO")) -> None:
    """Import a CSV of transportation providers, drivers, vehicles or medical providers (all rows or none)."""
    if kind not in KINDS:
        fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    existing_file(file)
    with reported():
        n = _import_rows(kind, file, program.upper())
    typer.echo(f"{file}: {n} rows imported")


@providers_app.command("expiring")
def providers_expiring(days: int = typer.Option(30, help="30, 60 or 90"),
                       today: str = typer.Option("", help="YYYY-MM-DD (default: today)")) -> None:
    """Driver and vehicle credentials expiring in the next DAYS days."""
    from nemt.domain.actors import Actor
    from nemt.policy import load_policy
    from nemt.services import network
    from nemt.store.uow import UnitOfWork

    # Credentials lapse at the end of a calendar day in the providers' state (the Colorado network's zone).
    day = date_option(today, "--today") if today else clock.today(load_policy("CO").time_zone)
    with reported(), UnitOfWork() as uow:
        rows = network.expiring_credentials(uow, Actor.system("providers-expiring"), day, days)
    for r in rows:
        typer.echo(f"{r.expires_on}  {r.days_left:>3} days  {r.provider}  {r.subject}  {r.credential}")
    if not rows:
        typer.echo(f"no credential expires in the next {days} days")


@providers_app.command("closest")
def providers_closest(zip_code: str = typer.Option(..., "--zip", help="origin ZIP (the member's residence)"),
                      service: str = typer.Option(..., help="the service, e.g. dialysis"),
                      program: str = typer.Option("CO"), k: int = typer.Option(5)) -> None:
    """The qualified medical providers nearest by road miles, as JSON lines."""
    from nemt.services import network
    from nemt.store.uow import UnitOfWork

    with reported(), UnitOfWork() as uow:
        ranked = network.closest_medical_providers(uow, program.upper(), zip_code, service, k=k)
        rows = [{"name": r.provider.name, "npi": r.provider.npi, "zip": r.provider.zip,
                 "miles": round(r.miles, 1), "minutes": round(r.minutes, 1), "engine": r.engine}
                for r in ranked]
    typer.echo(json.dumps(rows, indent=1))


def register(app: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
