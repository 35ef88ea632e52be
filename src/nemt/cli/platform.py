"""Platform commands: serve, db upgrade, demo seed, members import, users token."""

from __future__ import annotations

from pathlib import Path

import typer

from nemt.cli.errors import existing_file, fail, reported

db_app = typer.Typer(no_args_is_help=True, help="The database: migrations.")
demo_app = typer.Typer(no_args_is_help=True, help="The synthetic demo world.")
members_app = typer.Typer(no_args_is_help=True, help="Members and coverage.")
users_app = typer.Typer(no_args_is_help=True, help="Users and API tokens.")


def serve(host: str = "127.0.0.1", port: int = 8000, reload: bool = False) -> None:
    """Serve the web application and API."""
    import uvicorn

    uvicorn.run("nemt.http.app:app", host=host, port=port, reload=reload)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Migrate the database (NEMT_DATABASE_URL, or the SQLite file nemt.db) to the latest schema."""
    from nemt.store.database import database_url, default_engine
    from nemt.store.migrate import upgrade

    upgrade(default_engine(), revision)
    url = database_url()
    typer.echo(f"database at {url.split('@')[-1] if '@' in url else url} is at revision {revision}")


@demo_app.command("seed")
def demo_seed() -> None:
    """Make the deterministic synthetic demo world (fixed random seed; nothing real). Seeding twice adds nothing."""
    from nemt.services.demo import seed
    from nemt.store.uow import UnitOfWork

    summary = seed(UnitOfWork)
    typer.echo(summary)


@members_app.command("import")
def members_import(file: Path = typer.Argument(..., exists=False, help="Eligibility CSV"),
                   program: str = typer.Option("CO", help="CO or CT")) -> None:
    """Load an eligibility file: a bad row names its line, field and reason, and nothing is written."""
    from rich.progress import Progress

    from nemt.domain.actors import Actor
    from nemt.services.members import import_eligibility
    from nemt.store.uow import UnitOfWork

    content = existing_file(file).read_bytes()
    with reported(), Progress(transient=True) as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        with UnitOfWork() as uow:
            result = import_eligibility(uow, Actor.system("members-import"), program.upper(), str(file), content)
        progress.update(task, completed=1, total=1)
    if result.unchanged:
        typer.echo(f"{file}: already imported (sha256 {result.sha256[:12]}…); nothing changed")
    else:
        typer.echo(f"{file}: {result.rows} rows, {result.created} members created, {result.updated} updated")


@users_app.command("token")
def users_token(username: str, label: str = "cli") -> None:
    """Issue an API token for a user (printed once)."""
    from nemt.services.platform import auth
    from nemt.store.uow import UnitOfWork

    with UnitOfWork() as uow:
        user = uow.users.by_username(username)
        if user is None:
            fail("username", f"no user {username!r}")
        token = auth.issue_token(uow, user, label)
        uow.commit()
    typer.echo(token)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(demo_app, name="demo")
    app.add_typer(members_app, name="members")
    app.add_typer(users_app, name="users")
