"""Audit commands: ``nemt audit verify|anchor|disclosures``, and ``nemt db grant`` (the application's database role).

Every command's audit records say they came through the command line, with the command's name (``nemt members
import``) — :func:`command_channel`, the ``nemt`` app's callback — never its arguments, which may name files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from nemt.cli.errors import fail, read_input, reported, run

audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: verify its hash chain, anchor it, account for "
                                                   "a member's disclosures.")

EXIT_BROKEN = 1


def _command_name() -> tuple[str, str]:
    """``nemt`` and the command's words, from the command line's current context (read when a record is written:
    by then it is the command's own, not the ``nemt`` group's)."""
    from typer._click.globals import get_current_context  # Typer carries its own click: its context stack

    ctx = get_current_context(silent=True)
    words: list[str] = []
    while ctx is not None and ctx.parent is not None:  # the root's name is however the program was started
        words.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return "command", " ".join(["nemt", *words])


def command_channel(ctx: typer.Context) -> None:
    """The ``nemt`` app's callback: what the command records in the audit trail came through this command."""
    from nemt.services.platform import audit

    ctx.call_on_close(audit.set_channel(_command_name))


@audit_app.command("verify")
def verify(anchor: list[Path] = typer.Option([], "--anchor", help="An anchor file (nemt audit anchor --file); "
                                                                  "every anchor in it must still be in the chain.")
           ) -> None:
    """Recompute the audit trail's hash chain; name the first broken link (exit status 1) or say it is intact."""
    from nemt.services.platform import audit_chain
    from nemt.store.uow import UnitOfWork

    with reported():
        anchors = [a for path in anchor for a in audit_chain.parse_anchors(read_input(path, "--anchor").decode(),
                                                                             str(path))]
        with UnitOfWork() as uow:
            verdict = audit_chain.verify(uow, anchors)
    checked = f"; {verdict.anchors} anchor(s) checked" if anchor else ""
    if verdict.broken is None:
        typer.echo(f"audit trail intact: {verdict.events} events, chained from 1 to {verdict.last_seq}{checked}")
        return
    b = verdict.broken
    when = f" ({b.at.astimezone(dt.UTC).isoformat(timespec='seconds')})" if b.at else ""
    typer.echo(f"audit trail BROKEN at event {b.seq}{when}: {b.kind}: {b.message}{checked}")
    raise typer.Exit(EXIT_BROKEN)


@audit_app.command("anchor")
def anchor(file: Path | None = typer.Option(None, "--file", help="Append the anchor to this file too (keep it "
                                                                  "where the database's owner cannot write).")) -> None:
    """Print the chain's head (SEQ HASH TIME): a witness outside the database that ``verify --anchor`` checks."""
    from nemt.services.platform import audit_chain
    from nemt.store.uow import UnitOfWork

    with UnitOfWork() as uow:
        line = audit_chain.anchor(uow).line()
    if file is not None:
        try:
            with file.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            fail("--file", f"{file} cannot be written ({exc.strerror})")
    typer.echo(line)


@audit_app.command("disclosures")
def disclosures(member_key: str = typer.Argument(..., help="The member's key (as in the member's page address); "
                                                           "one that starts with '-' goes after '--'.")) -> None:
    """A member's accounting of disclosures: who read or changed the record, when, through what (45 CFR 164.528)."""
    from nemt.services.platform import disclosures as accounting

    rows = run(lambda uow, actor: accounting.disclosures(uow, actor, member_key))
    for d in rows:
        who = f"{d.username} ({d.role}, {d.organization})"
        typer.echo(f"{d.at.astimezone(dt.UTC).isoformat(timespec='seconds')}  {who}  {d.action} {d.entity}  "
                   f"{d.through}")
    typer.echo(f"{len(rows)} read(s) or change(s) recorded")


def grant_app_role(engine, role: str) -> None:
    """Grant the application's role what it needs (``nemt.store.roles``), or the error line naming the problem."""
    from nemt.store.roles import RoleProblem
    from nemt.store.roles import grant_app_role as grant

    try:
        statements = grant(engine, role)
    except RoleProblem as problem:
        fail("app-role", str(problem), "database roles")
    typer.echo(f"granted the role {role!r} what the application needs ({len(statements)} statements); "
               "it may not change or truncate the audit trail")


def db_grant(app_role: str = typer.Option(..., "--app-role", help="The PostgreSQL role the application connects "
                                                                   "as (no superuser, owns nothing).")) -> None:
    """Grant the application's database role exactly what it needs: no UPDATE, DELETE or TRUNCATE of the audit
    trail. Run as the owner (NEMT_MIGRATION_DATABASE_URL), after every upgrade."""
    from nemt.store.database import migration_engine

    grant_app_role(migration_engine(), app_role)


def register(app: typer.Typer) -> None:
    from nemt.cli.platform import db_app

    db_app.command("grant")(db_grant)
    app.add_typer(audit_app, name="audit")
