"""Provider-network commands: imports, expiring credentials, the closest qualified provider."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from nemt import clock

providers_app = typer.Typer(no_args_is_help=True, help="Transportation and medical providers, drivers, vehicles.")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _run_import(kind: str, file: Path, program: str) -> None:
    from nemt.domain.actors import Actor
    from nemt.services import network
    from nemt.services.platform.errors import ImportRejected
    from nemt.store.uow import UnitOfWork

    if not file.is_file():
        _fail(f"{file}: no such file")
    actor = Actor.system(f"providers-import-{kind}")
    try:
        with UnitOfWork() as uow:
            if kind == "transport":
                n = network.import_transport_providers(uow, actor, program, str(file), file.read_bytes())
            elif kind == "drivers":
                n = network.import_drivers(uow, actor, str(file), file.read_bytes())
            elif kind == "vehicles":
                n = network.import_vehicles(uow, actor, str(file), file.read_bytes(), program)
            else:
                n = network.import_medical_providers(uow, actor, program, str(file), file.read_bytes())
    except ImportRejected as exc:
        _fail("\n".join([f"{file}: rejected, nothing was imported ({len(exc.errors)} error(s))"]
                        + [f"  line {e.line}: {e.field}: {e.reason}" for e in exc.errors[:50]]))
    typer.echo(f"{file}: {n} rows imported")


@providers_app.command("import")
def providers_import(kind: str = typer.Argument(..., help="transport | drivers | vehicles | medical"),
                     file: Path = typer.Argument(...), program: str = typer.Option("CO")) -> None:
    """Import a CSV of transportation providers, drivers, vehicles or medical providers (all rows or none)."""
    if kind not in ("transport", "drivers", "vehicles", "medical"):
        _fail(f"kind: {kind!r} is not one of transport, drivers, vehicles, medical")
    _run_import(kind, file, program.upper())


@providers_app.command("expiring")
def providers_expiring(days: int = typer.Option(30, help="30, 60 or 90"),
                       today: str = typer.Option("", help="YYYY-MM-DD (default: today)")) -> None:
    """Driver and vehicle credentials expiring in the next DAYS days."""
    from nemt.domain.actors import Actor
    from nemt.policy import load_policy
    from nemt.services import network
    from nemt.store.uow import UnitOfWork

    # Credentials lapse at the end of a calendar day in the providers' state (the Colorado network's zone).
    day = dt.date.fromisoformat(today) if today else clock.today(load_policy("CO").time_zone)
    with UnitOfWork() as uow:
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
    from nemt.geo import GeoError
    from nemt.services import network
    from nemt.store.uow import UnitOfWork

    try:
        with UnitOfWork() as uow:
            ranked = network.closest_medical_providers(uow, program.upper(), zip_code, service, k=k)
            rows = [{"name": r.provider.name, "npi": r.provider.npi, "zip": r.provider.zip,
                     "miles": round(r.miles, 1), "minutes": round(r.minutes, 1), "engine": r.engine}
                    for r in ranked]
    except GeoError as exc:
        _fail(f"{exc.field}: {exc.reason}")
    typer.echo(json.dumps(rows, indent=1))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.add_typer(providers_app, name="providers")
