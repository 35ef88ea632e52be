"""Platform commands: serve, db upgrade, demo seed, members import, users token / tokens / revoke-token / totp-code."""

from __future__ import annotations

from pathlib import Path

import typer

from nemt.cli.errors import existing_file, fail, run
from nemt.cli.programs import program_help

db_app = typer.Typer(no_args_is_help=True, help="The database: migrations.")
demo_app = typer.Typer(no_args_is_help=True, help="The synthetic demo world.")
members_app = typer.Typer(no_args_is_help=True, help="Members and coverage.")
users_app = typer.Typer(no_args_is_help=True, help="Users and API tokens.")


def serve(host: str = "127.0.0.1", port: int = 8000, reload: bool = False,
          workers: int = typer.Option(1, min=1, help="worker processes (production: gunicorn, README)")) -> None:
    """Serve the web application and API."""
    import uvicorn

    uvicorn.run("nemt.http.app:app", host=host, port=port, reload=reload, workers=workers)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Migrate the database to the latest schema as its owner (NEMT_MIGRATION_DATABASE_URL, else NEMT_DATABASE_URL,
    else the SQLite file nemt.db); with NEMT_DATABASE_APP_ROLE, then grant that role what the application needs."""
    from nemt.cli.audit import grant_app_role
    from nemt.settings import get_settings
    from nemt.store.database import migration_engine
    from nemt.store.migrate import upgrade

    engine = migration_engine()
    upgrade(engine, revision)
    url = engine.url.render_as_string(hide_password=True)
    typer.echo(f"database at {url.split('@')[-1] if '@' in url else url} is at revision {revision}")
    app_role = get_settings().database_app_role
    if app_role:
        grant_app_role(engine, app_role)


@demo_app.command("seed")
def demo_seed() -> None:
    """Make the deterministic synthetic demo world (fixed random seed; nothing real). Seeding twice adds nothing."""
    from nemt.services.demo import seed
    from nemt.store.uow import UnitOfWork

    summary = seed(UnitOfWork)
    typer.echo(summary)


@members_app.command("import")
def members_import(file: Path = typer.Argument(..., exists=False, help="Eligibility CSV"),
                   program: str = typer.Option("CO", help=program_help())) -> None:
    """Load an eligibility file: a bad row names its line, field and reason, and nothing is written."""
    from rich.progress import Progress

    from nemt.services.members import import_eligibility

    content = existing_file(file).read_bytes()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        result = run(lambda uow, actor: import_eligibility(uow, actor, program.upper(), str(file), content))
        progress.update(task, completed=1, total=1)
    if result.unchanged:
        typer.echo(f"{file}: already imported (sha256 {result.sha256[:12]}…); nothing changed")
    else:
        typer.echo(f"{file}: {result.rows} rows, {result.created} members created, {result.updated} updated")


@users_app.command("token")
def users_token(username: str, label: str = "cli",
                days: int = typer.Option(None, "--days", min=1, help="lifetime in days (default NEMT_TOKEN_DAYS)")
                ) -> None:
    """Issue an API token for a user (printed once; expires after --days, at most NEMT_TOKEN_DAYS). Audited."""
    from nemt.services.platform import auth

    def issue(uow, _actor) -> str:
        user = uow.users.by_username(username)
        if user is None:
            fail("username", f"no user {username!r}")
        issued = auth.issue_token(uow, user, label, days)
        uow.commit()
        return issued.token

    typer.echo(run(issue))


@users_app.command("tokens")
def users_tokens(username: str) -> None:
    """List a user's API tokens: id, label, created, expires, last used, state (never the token)."""
    from nemt.services.platform import auth

    tokens = run(lambda uow, _actor: auth.tokens_of(uow, username))
    typer.echo("id\tlabel\tcreated\texpires\tlast used\tstate")
    for t in tokens:
        state = "revoked" if t.revoked_at else "live"
        typer.echo("\t".join([str(t.id), t.label, _when(t.created_at), _when(t.expires_at), _when(t.last_used_at),
                              state]))


@users_app.command("revoke-token")
def users_revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (from `nemt users tokens`). Audited."""
    from nemt.services.platform import auth

    run(lambda uow, actor: auth.revoke_token_id(uow, actor, token_id))
    typer.echo(f"token {token_id} revoked")


@users_app.command("totp-code")
def users_totp_code(username: str) -> None:
    """Print a second-factor code for a demo account (only those enrolled with the README's public demo secret)."""
    from nemt.services.platform import totp

    code = run(lambda uow, _actor: totp.demo_code(uow, username))
    typer.echo(code)


def _when(value) -> str:
    return value.isoformat(timespec="minutes") if value else "-"


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(demo_app, name="demo")
    app.add_typer(members_app, name="members")
    app.add_typer(users_app, name="users")
