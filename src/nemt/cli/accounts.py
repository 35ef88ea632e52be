"""``nemt users create|disable|enable|role|reset|unlock|list`` and ``nemt orgs create|list|deactivate|activate``.

The command acts as the platform itself (an operator with the server's database), so it manages every program's users
and organizations; each change is audited under the actor ``cli``. Creating or resetting a user prints their
one-time set-password link once (``--base-url``: the address users reach the platform at).
"""

from __future__ import annotations

import typer

from nemt.cli import platform
from nemt.cli.errors import run
from nemt.cli.programs import program_help

orgs_app = typer.Typer(no_args_is_help=True, help="Organizations: create, list, deactivate.")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
BASE_URL = typer.Option(DEFAULT_BASE_URL, "--base-url", help="Where users reach the platform (for the link).")


def _user_line(user) -> str:
    state = "active" if user.active else "disabled"
    if user.locked_at is not None:
        state += ", locked"
    return f"{user.username}\t{user.role}\t{user.organization.program}\t{user.organization.name}\t{state}"


def _issued(issued, base_url: str, what: str) -> None:
    # Only the link's own fields: the user's name was read before the unit of work ended (the service committed).
    typer.echo(f"{what} {issued.user.username}; one-time set-password link (shown once), valid until "
               f"{issued.expires_at:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.url(base_url))


def users_create(username: str, role: str = typer.Option(..., help="e.g. driver, call-center-agent"),
                 org: str = typer.Option(..., help="The organization's key or exact name"),
                 program: str = typer.Option(None, help="Narrows an organization name used in two programs"),
                 display_name: str = typer.Option(None, help="Shown in the pages (default: the user name)"),
                 base_url: str = BASE_URL) -> None:
    """Create a user and print their one-time set-password link (nobody types a password for them)."""
    from nemt.services.platform import accounts

    new = accounts.NewUser(username, display_name or username, role, org, program)
    _issued(run(lambda uow, actor: accounts.create_user(uow, actor, new)), base_url, "created")


def users_disable(username: str) -> None:
    """Disable a user: their sessions, API tokens and links end at once."""
    _set_active(username, False)


def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from nemt.services.platform import accounts

    typer.echo(run(lambda uow, actor: _user_line(accounts.set_active(uow, actor, username, active))))


def users_role(username: str, role: str) -> None:
    """Give a user another role (one that fits their organization)."""
    from nemt.services.platform import accounts

    typer.echo(run(lambda uow, actor: _user_line(accounts.change_role(uow, actor, username, role))))


def users_reset(username: str, base_url: str = BASE_URL) -> None:
    """Reset a password: the old one stops working, sessions and tokens end; prints a new one-time link."""
    from nemt.services.platform import accounts

    _issued(run(lambda uow, actor: accounts.reset_password(uow, actor, username)), base_url, "reset")


def users_unlock(username: str) -> None:
    """Lift the lockout of too many failed log-ins."""
    from nemt.services.platform import accounts

    typer.echo(run(lambda uow, actor: _user_line(accounts.lift_lockout(uow, actor, username))))


def users_list(org: str = typer.Option(None, help="An organization's key or exact name"),
               role: str = typer.Option(None), active: bool = typer.Option(None, "--active/--disabled"),
               locked: bool = typer.Option(None, "--locked/--not-locked")) -> None:
    """List users: user name, role, program, organization, state (tab-separated)."""
    from nemt.services.platform import accounts

    lines = run(lambda uow, actor: [_user_line(user) for user in accounts.list_users(
        uow, actor, organization=org, role=role, active=active, locked=locked)])
    for text in lines:
        typer.echo(text)


@orgs_app.command("create")
def orgs_create(name: str, kind: str = typer.Option(..., help="department, broker, transportation-provider or "
                                                              "medical-facility"),
                program: str = typer.Option(..., help=program_help()),
                npi: str = typer.Option(None, help="Required for a transportation provider")) -> None:
    """Create an organization; prints its key."""
    from nemt.services.platform import organizations

    new = organizations.NewOrganization(kind, name, program, npi)
    typer.echo(run(lambda uow, actor: _org_line(organizations.create_organization(uow, actor, new))))


@orgs_app.command("list")
def orgs_list() -> None:
    """List organizations: key, kind, program, name, state (tab-separated)."""
    from nemt.services.platform import organizations

    lines = run(lambda uow, actor: [_org_line(org, state=True)
                                    for org in organizations.list_organizations(uow, actor)])
    for text in lines:
        typer.echo(text)


@orgs_app.command("deactivate")
def orgs_deactivate(org: str, program: str = typer.Option(None, help="Narrows a name used in two programs")) -> None:
    """Deactivate an organization (key or exact name): its users' sessions and tokens end, and they cannot sign
    in."""
    _org_active(org, program, False)


@orgs_app.command("activate")
def orgs_activate(org: str, program: str = typer.Option(None, help="Narrows a name used in two programs")) -> None:
    """Activate a deactivated organization again."""
    _org_active(org, program, True)


def _org_active(ref: str, program: str | None, active: bool) -> None:
    from nemt.services.platform import organizations

    org_line = run(lambda uow, actor: _org_line(organizations.set_active(uow, actor, ref, active, program),
                                                kind=False, state=True))
    typer.echo(org_line)


def _org_line(org, *, kind: bool = True, state: bool = False) -> str:
    """key, kind, program, name, state (tab-separated); the state change prints key, name, state."""
    cells = [org.key, org.kind, org.program, org.name] if kind else [org.key, org.name]
    if state:
        cells.append("active" if org.active else "deactivated")
    return "\t".join(cells)


def register(app: typer.Typer) -> None:
    """The user commands join ``nemt users`` (beside ``token``); the organization commands are ``nemt orgs``."""
    for name, command in (("create", users_create), ("disable", users_disable), ("enable", users_enable),
                          ("role", users_role), ("reset", users_reset), ("unlock", users_unlock),
                          ("list", users_list)):
        platform.users_app.command(name)(command)
    app.add_typer(orgs_app, name="orgs")
