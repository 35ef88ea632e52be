"""User and organization administration (issue 14): the services, the API and the `nemt users`/`nemt orgs` commands,
on both databases. Scoping: a program's administrator manages their program only; a provider administrator, their own
organization's drivers and provider administrators only; nobody raises a role above their grant, changes their own
role or disables themselves. One-time links: only the hash stored, expire, work once (raced on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass

import pytest

from nemt import clock
from nemt.services.platform import accounts, auth, organizations, password_links
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.conftest import nemt_cli

MILE_HIGH = "Mile High Mobility (demo)"
PEAK = "Peak Wheelchair Vans (demo)"
BROKER = "Front Range Ride Broker (demo SDE)"
CT_BROKER = "Nutmeg Ride Broker (demo)"
GOOD_NPI = "1234567893"  # the NPI standard's own example (Luhn over 80840 + nine digits)


def actor(uow, username: str):
    return auth.actor_of(uow.users.by_username(username))


def _org_key(uow, name: str, program: str = "CO") -> str:
    return uow.organizations.by_name(program, name).key


def _create(uow_factory, by: str, username: str, role: str, org: str, program: str = "CO"):
    with uow_factory() as uow:
        return accounts.create_user(uow, actor(uow, by), accounts.NewUser(username, username.title(), role,
                                                                          _org_key(uow, org, program)))


def _password_ok(uow_factory, username: str, password: str) -> bool:
    with uow_factory() as uow:
        try:
            auth.log_in(uow, username, password, "test-client", via="test")
        except Unauthorized:
            return False
        return True


@dataclass(frozen=True)
class Event:
    action: str
    entity: str
    username: str
    detail: dict


def _events(uow_factory, action: str) -> list[Event]:
    """The audit rows of one action, oldest first."""
    with uow_factory() as uow:
        return [Event(e.action, e.entity, e.username, dict(e.detail)) for e in reversed(uow.audit.recent(500))
                if e.action == action]


# --- creating a user and the one-time link -------------------------------------------------------------------------


def test_admin_creates_a_user_who_sets_their_own_password_once(demo):
    issued = _create(demo, "admin", "new-driver", "driver", MILE_HIGH)
    assert len(issued.token) >= 40 and issued.path == "/account/set-password/" + issued.token
    with demo() as uow:
        [link] = [lk for lk in [uow.admin.link(hashlib.sha256(issued.token.encode()).hexdigest())] if lk]
        assert link.token_sha256 != issued.token and link.purpose == "new-user"  # only the hash is stored
        assert link.expires_at - clock.now() <= dt.timedelta(hours=24)
        user = uow.users.by_username("new-driver")
        assert user.active and user.role == "driver" and user.organization.name == MILE_HIGH
    assert not _password_ok(demo, "new-driver", "")  # no password before the link is used
    with demo() as uow:
        assert password_links.check(uow, issued.token).username == "new-driver"
        with pytest.raises(InvalidInput) as short:
            password_links.use(uow, issued.token, "short")
        assert short.value.rule == "password policy"
    with demo() as uow:
        password_links.use(uow, issued.token, "a-long-enough-secret")
    assert _password_ok(demo, "new-driver", "a-long-enough-secret")
    with demo() as uow, pytest.raises(NotFound) as again:
        password_links.use(uow, issued.token, "another-long-secret")
    assert again.value.rule == password_links.RULE
    assert _password_ok(demo, "new-driver", "a-long-enough-secret")
    [created] = [e for e in _events(demo, "create") if e.entity == "user"]
    assert created.username == "admin" and created.detail["user"] == "new-driver" and created.detail["role"] == "driver"
    [set_event] = _events(demo, "password-set")
    assert set_event.username == "new-driver"
    for event in _events(demo, "create") + _events(demo, "password-set"):
        assert issued.token not in str(event.detail) and "secret" not in str(event.detail)


def test_a_link_expires_after_the_setting(demo, settings_env):
    settings_env(NEMT_RESET_LINK_HOURS="2")
    issued = _create(demo, "admin", "late-driver", "driver", MILE_HIGH)
    assert dt.timedelta(hours=1, minutes=59) < issued.expires_at - clock.now() <= dt.timedelta(hours=2)
    clock.start_at(clock.now() + dt.timedelta(hours=2, minutes=1))
    try:
        with demo() as uow, pytest.raises(NotFound):
            password_links.use(uow, issued.token, "a-long-enough-secret")
    finally:
        clock.start_at(clock.now() - dt.timedelta(hours=2, minutes=1))


def test_user_names_are_unique_and_checked(demo):
    with pytest.raises(Conflict) as taken:
        _create(demo, "admin", "driver", "driver", MILE_HIGH)
    assert taken.value.rule == "unique user names"
    with pytest.raises(InvalidInput) as bad:
        _create(demo, "admin", "no spaces", "driver", MILE_HIGH)
    assert bad.value.field == "username"
    with pytest.raises(InvalidInput) as misfit:
        _create(demo, "admin", "broker-driver", "driver", BROKER)
    assert misfit.value.rule == "role fits the organization"
    with pytest.raises(InvalidInput) as unknown:
        _create(demo, "admin", "king", "king", BROKER)
    assert unknown.value.field == "role"


# --- scoping -----------------------------------------------------------------------------------------------------


def test_colorado_admin_cannot_touch_connecticut(demo):
    with demo() as uow:
        co = actor(uow, "admin")
        listed = {u.username for u in accounts.list_users(uow, co)}
        assert "agent" in listed and "ct-agent" not in listed and "ct-auditor" not in listed
        for act in (lambda: accounts.get_user(uow, co, "ct-agent"),
                    lambda: accounts.set_active(uow, co, "ct-agent", False),
                    lambda: accounts.reset_password(uow, co, "ct-agent"),
                    lambda: accounts.change_role(uow, co, "ct-agent", "dispatcher"),
                    lambda: accounts.lift_lockout(uow, co, "ct-agent")):
            with pytest.raises(NotFound):
                act()
        ct_key = _org_key(uow, CT_BROKER, "CT")
        with pytest.raises(NotFound):
            accounts.create_user(uow, co, accounts.NewUser("intruder", "Intruder", "call-center-agent", ct_key))
        assert all(o.program == "CO" for o in organizations.list_organizations(uow, co))
        with pytest.raises(Forbidden) as other_program:
            organizations.create_organization(uow, co, organizations.NewOrganization("broker", "Other", "CT"))
        assert other_program.value.rule == organizations.OWN_PROGRAM
    assert _password_ok(demo, "ct-agent", "ct-agent-demo-2026")


def test_provider_admin_manages_only_their_own_drivers_and_admins(demo):
    issued = _create(demo, "provider", "mh-driver", "driver", MILE_HIGH)
    assert issued.user.role == "driver"
    with demo() as uow:
        provider = actor(uow, "provider")
        assert {u.username for u in accounts.list_users(uow, provider)} == {"provider", "driver", "mh-driver"}
        with pytest.raises(NotFound):  # another provider's organization is out of reach
            accounts.create_user(uow, provider, accounts.NewUser("peak-driver", "P", "driver",
                                                                 _org_key(uow, PEAK)))
        for escalation in ("dispatcher", "administrator", "auditor"):
            with pytest.raises(Forbidden) as refused:
                accounts.create_user(uow, provider, accounts.NewUser("boss", "Boss", escalation,
                                                                     _org_key(uow, MILE_HIGH)))
            assert refused.value.rule == accounts.NO_ESCALATION
        for other in ("agent", "admin", "facility"):
            with pytest.raises(NotFound):
                accounts.set_active(uow, provider, other, False)
        accounts.change_role(uow, provider, "mh-driver", "provider-admin")
        with pytest.raises(Forbidden):
            accounts.change_role(uow, provider, "mh-driver", "administrator")
        with pytest.raises(Forbidden):
            organizations.list_organizations(uow, provider)
    [change] = _events(demo, "role-change")
    assert change.detail == {"user": "mh-driver", "old_role": "driver", "new_role": "provider-admin"}
    assert change.username == "provider"


def test_nobody_changes_their_own_role_or_disables_themselves(demo):
    with demo() as uow:
        for name in ("admin", "provider"):
            me = actor(uow, name)
            with pytest.raises(Forbidden) as own_role:
                accounts.change_role(uow, me, name, "driver" if name == "provider" else "auditor")
            assert own_role.value.rule == accounts.NOT_SELF
            with pytest.raises(Forbidden):
                accounts.set_active(uow, me, name, False)
        with pytest.raises(Forbidden):
            organizations.set_active(uow, actor(uow, "admin"), _org_key(uow, "Colorado Dept. of Health Care Policy "
                                                                                 "& Financing (demo)"), False)
    with demo() as uow:
        assert uow.users.by_username("admin").active and uow.users.by_username("admin").role == "administrator"


def test_other_roles_may_not_administer(demo):
    with demo() as uow:
        for name in ("agent", "dispatcher", "driver", "facility", "auditor"):
            with pytest.raises(Forbidden) as refused:
                accounts.list_users(uow, actor(uow, name))
            assert refused.value.rule == "role-based access"


# --- disable, enable, reset, unlock --------------------------------------------------------------------------------


def test_disable_ends_tokens_and_sign_in_enable_restores_sign_in(demo):
    with demo() as uow:
        token = auth.issue_token(uow, uow.users.by_username("driver"), "phone").token
        uow.commit()
    with demo() as uow:
        accounts.set_active(uow, actor(uow, "admin"), "driver", False)
    with demo() as uow, pytest.raises(Unauthorized):
        auth.user_for_token(uow, token)
    assert not _password_ok(demo, "driver", "driver-demo-2026")
    with demo() as uow:
        accounts.set_active(uow, actor(uow, "admin"), "driver", True)
    assert _password_ok(demo, "driver", "driver-demo-2026")
    with demo() as uow, pytest.raises(Unauthorized):
        auth.user_for_token(uow, token)  # a revoked token stays revoked
    assert [e.detail for e in _events(demo, "disable")] == [{"user": "driver"}]
    assert [e.detail for e in _events(demo, "enable")] == [{"user": "driver"}]


def test_a_role_change_ends_sessions_and_tokens(demo):
    """The next sign-in asks what the new role needs (a second factor for administrators and auditors)."""
    with demo() as uow:
        token = auth.issue_token(uow, uow.users.by_username("dispatcher")).token
        uow.commit()
    with demo() as uow:
        accounts.change_role(uow, actor(uow, "admin"), "dispatcher", "call-center-agent")
    with demo() as uow, pytest.raises(Unauthorized):
        auth.user_for_token(uow, token)
    assert _password_ok(demo, "dispatcher", "dispatcher-demo-2026")


def test_reset_stops_the_old_password_and_links_and_gives_a_new_link(demo):
    first = _create(demo, "admin", "resettable", "call-center-agent", BROKER)
    with demo() as uow:
        password_links.use(uow, first.token, "first-password-1")
        token = auth.issue_token(uow, uow.users.by_username("resettable")).token
        uow.commit()
    with demo() as uow:
        second = accounts.reset_password(uow, actor(uow, "admin"), "resettable")
    with demo() as uow:
        third = accounts.reset_password(uow, actor(uow, "admin"), "resettable")
    assert not _password_ok(demo, "resettable", "first-password-1")
    with demo() as uow, pytest.raises(Unauthorized):
        auth.user_for_token(uow, token)
    with demo() as uow, pytest.raises(NotFound):
        password_links.use(uow, second.token, "second-password")  # the newer link replaced it
    with demo() as uow:
        password_links.use(uow, third.token, "third-password")
    assert _password_ok(demo, "resettable", "third-password")
    assert len(_events(demo, "password-reset")) == 2


def test_lift_a_lockout_and_filter_by_locked(demo):
    with demo() as uow:
        uow.users.by_username("agent").locked_at = clock.now()
        uow.commit()
    with demo() as uow:
        admin = actor(uow, "admin")
        assert [u.username for u in accounts.list_users(uow, admin, locked=True)] == ["agent"]
        assert "agent" not in {u.username for u in accounts.list_users(uow, admin, locked=False)}
        accounts.lift_lockout(uow, admin, "agent")
    with demo() as uow:
        assert uow.users.by_username("agent").locked_at is None
        assert accounts.list_users(uow, actor(uow, "admin"), locked=True) == []
    assert _password_ok(demo, "agent", "agent-demo-2026")


def test_list_filters(demo):
    with demo() as uow:
        admin = actor(uow, "admin")
        by_org = accounts.list_users(uow, admin, organization=_org_key(uow, MILE_HIGH))
        assert {u.username for u in by_org} == {"provider", "driver"}
        assert {u.username for u in accounts.list_users(uow, admin, organization=MILE_HIGH)} == {"provider", "driver"}
        assert [u.username for u in accounts.list_users(uow, admin, role="dispatcher")] == ["dispatcher"]
        accounts.set_active(uow, admin, "dispatcher", False)
        assert [u.username for u in accounts.list_users(uow, admin, active=False)] == ["dispatcher"]
        with pytest.raises(InvalidInput):
            accounts.list_users(uow, admin, role="emperor")


# --- organizations ---------------------------------------------------------------------------------------------------


def test_organizations_create_and_deactivate(demo):
    with demo() as uow:
        admin = actor(uow, "admin")
        with pytest.raises(InvalidInput) as no_npi:
            organizations.create_organization(uow, admin, organizations.NewOrganization(
                "transportation-provider", "Rocky Rides", "CO"))
        assert no_npi.value.field == "npi"
        with pytest.raises(InvalidInput) as bad_npi:
            organizations.create_organization(uow, admin, organizations.NewOrganization(
                "transportation-provider", "Rocky Rides", "CO", "1234567890"))
        assert bad_npi.value.rule == "NPI check digit"
        org = organizations.create_organization(uow, admin, organizations.NewOrganization(
            "transportation-provider", "Rocky Rides", "co", GOOD_NPI))
        assert (org.program, org.active) == ("CO", True)
        with pytest.raises(Conflict):
            organizations.create_organization(uow, admin, organizations.NewOrganization("broker", "Rocky Rides",
                                                                                        "CO"))
    _create(demo, "admin", "rocky-driver", "driver", "Rocky Rides")
    with demo() as uow:
        token = auth.issue_token(uow, uow.users.by_username("driver")).token
        uow.commit()
    with demo() as uow:
        organizations.set_active(uow, actor(uow, "admin"), _org_key(uow, MILE_HIGH), False)
    assert not _password_ok(demo, "driver", "driver-demo-2026")
    assert not _password_ok(demo, "provider", "provider-demo-2026")
    with demo() as uow, pytest.raises(Unauthorized):
        auth.user_for_token(uow, token)
    with demo() as uow, pytest.raises(Conflict):  # no new users in a deactivated organization
        accounts.create_user(uow, actor(uow, "admin"), accounts.NewUser("late", "Late", "driver",
                                                                        _org_key(uow, MILE_HIGH)))
    with demo() as uow:
        organizations.set_active(uow, actor(uow, "admin"), _org_key(uow, MILE_HIGH), True)
    assert _password_ok(demo, "driver", "driver-demo-2026")
    [deactivated] = _events(demo, "deactivate")
    assert deactivated.entity == "organization" and deactivated.detail["users"] == 2


# --- races (PostgreSQL) ----------------------------------------------------------------------------------------------


def test_a_link_used_twice_at_once_sets_one_password(demo, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("races are run on PostgreSQL")
    issued = _create(demo, "admin", "racer", "driver", MILE_HIGH)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def use(i: int) -> None:
        with demo() as uow:
            password_links.check(uow, issued.token)
            barrier.wait()
            try:
                password_links.use(uow, issued.token, f"racing-password-{i}")
                outcomes.append(f"racing-password-{i}")
            except NotFound:
                outcomes.append("refused")

    threads = [threading.Thread(target=use, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "refused"]
    assert len(outcomes) == 8 and len(winners) == 1
    assert _password_ok(demo, "racer", winners[0])
    assert len(_events(demo, "password-set")) == 1


def test_one_user_name_created_twice_at_once_makes_one_user(demo, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("races are run on PostgreSQL")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def create() -> None:
        with demo() as uow:
            admin, key = actor(uow, "admin"), _org_key(uow, MILE_HIGH)
            barrier.wait()
            try:
                accounts.create_user(uow, admin, accounts.NewUser("twin", "Twin", "driver", key))
                outcomes.append("created")
            except Conflict as conflict:
                outcomes.append(conflict.rule or "")

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] + ["unique user names"] * 5
    with demo() as uow:
        assert len([u for u in accounts.list_users(uow, actor(uow, "admin")) if u.username == "twin"]) == 1


# --- API -------------------------------------------------------------------------------------------------------------


def test_api_create_link_sign_in(client, token_for):
    admin = token_for("admin")
    orgs = client.get("/api/v1/admin/organizations", headers=admin).json()
    mile_high = next(o for o in orgs if o["name"] == MILE_HIGH)
    r = client.post("/api/v1/admin/users", headers=admin, json={"username": "api-driver", "display_name": "Api Driver",
                                                                "role": "driver", "organization": mile_high["key"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["user"]["role"] == "driver" and body["user"]["active"] and not body["user"]["locked"]
    path = body["set_password_url"].split("://", 1)[1].split("/", 1)[1]
    assert ("/" + path).startswith("/account/set-password/")
    assert client.get("/" + path).status_code == 200
    listed = client.get("/api/v1/admin/users", headers=admin, params={"organization": mile_high["key"]}).json()
    assert {u["username"] for u in listed} == {"provider", "driver", "api-driver"}
    r = client.post("/api/v1/admin/users/api-driver/role", headers=admin, json={"role": "provider-admin"})
    assert r.status_code == 200 and r.json()["role"] == "provider-admin"
    r = client.post("/api/v1/admin/users/api-driver/disable", headers=admin)
    assert r.status_code == 200 and not r.json()["active"]
    r = client.post("/api/v1/admin/users/api-driver/reset", headers=admin)
    assert r.status_code == 200 and r.json()["set_password_url"] != body["set_password_url"]


def test_api_errors_name_field_and_rule(client, token_for):
    admin, provider = token_for("admin"), token_for("provider")
    r = client.get("/api/v1/admin/users/ct-agent", headers=admin)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "username" and r.json()["rule"] == accounts.SCOPE
    r = client.post("/api/v1/admin/users/driver/role", headers=provider, json={"role": "dispatcher"})
    assert r.status_code == 403 and r.json()["rule"] == accounts.NO_ESCALATION and r.json()["field"] == "role"
    r = client.post("/api/v1/admin/users/admin/disable", headers=admin)
    assert r.status_code == 403 and r.json()["rule"] == accounts.NOT_SELF
    r = client.post("/api/v1/admin/organizations", headers=admin,
                    json={"kind": "transportation-provider", "name": "No NPI Vans", "program": "CO"})
    assert r.status_code == 422 and r.json()["field"] == "npi"
    r = client.get("/api/v1/admin/organizations", headers=provider)
    assert r.status_code == 403 and r.json()["rule"] == "role-based access"
    r = client.get("/api/v1/admin/users", headers=token_for("agent"))
    assert r.status_code == 403


# --- command line ----------------------------------------------------------------------------------------------------


def test_cli_users_and_orgs(demo, db):
    made = nemt_cli(db, "orgs", "create", "Cli Cabs", "--kind", "transportation-provider", "--program", "CO",
                    "--npi", GOOD_NPI)
    assert made.returncode == 0, made.stderr
    created = nemt_cli(db, "users", "create", "cli-driver", "--role", "driver", "--org", "Cli Cabs", "--base-url",
                       "https://nemt.example.org")
    assert created.returncode == 0, created.stderr
    link = created.stdout.strip().splitlines()[-1]
    assert link.startswith("https://nemt.example.org/account/set-password/")
    with demo() as uow:
        password_links.use(uow, link.rsplit("/", 1)[1], "cli-driver-password")
    assert _password_ok(demo, "cli-driver", "cli-driver-password")
    listed = nemt_cli(db, "users", "list", "--org", "Cli Cabs")
    assert listed.returncode == 0 and listed.stdout.startswith("cli-driver\tdriver\tCO\tCli Cabs\tactive")
    assert nemt_cli(db, "users", "disable", "cli-driver").returncode == 0
    assert not _password_ok(demo, "cli-driver", "cli-driver-password")
    assert nemt_cli(db, "users", "enable", "cli-driver").returncode == 0
    role = nemt_cli(db, "users", "role", "cli-driver", "provider-admin")
    assert role.returncode == 0 and "\tprovider-admin\t" in role.stdout
    reset = nemt_cli(db, "users", "reset", "cli-driver")
    assert reset.returncode == 0 and "/account/set-password/" in reset.stdout
    assert not _password_ok(demo, "cli-driver", "cli-driver-password")
    assert nemt_cli(db, "users", "unlock", "cli-driver").returncode == 0
    bad = nemt_cli(db, "users", "role", "cli-driver", "dispatcher")
    assert bad.returncode == 2 and bad.stderr.startswith("error: role: ")
    assert "(role fits the organization)" in bad.stderr
    assert nemt_cli(db, "users", "create", "x y", "--role", "driver", "--org", "Cli Cabs").returncode == 2
    deactivated = nemt_cli(db, "orgs", "deactivate", "Cli Cabs", "--program", "CO")
    assert deactivated.returncode == 0 and deactivated.stdout.strip().endswith("deactivated")
    orgs = nemt_cli(db, "orgs", "list")
    assert orgs.returncode == 0 and "Cli Cabs\tdeactivated" in orgs.stdout and "Connecticut DSS (demo)" in orgs.stdout
    with demo() as uow:
        actions = [(e.action, e.username) for e in uow.audit.recent(100) if e.entity in ("user", "organization")]
    assert ("create", "cli") in actions and ("deactivate", "cli") in actions and ("role-change", "cli") in actions
