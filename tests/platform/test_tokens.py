"""API tokens (45 CFR 164.312(d)): they expire (NEMT_TOKEN_DAYS, or fewer days on request), their owner lists them
(never the token itself) and revokes them; an expired or revoked token is a 401 naming the rule; the command line
issues, lists and revokes them; every issue and revocation is audited."""

from __future__ import annotations

import datetime as dt
import subprocess

from nemt import clock
from tests.conftest import nemt_cli

AGENT = {"username": "agent", "password": "agent-demo-2026"}


def _token(client, **extra) -> str:
    r = client.post("/api/v1/auth/token", json={**AGENT, **extra})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_expires_after_its_days(client, monkeypatch):
    r = client.post("/api/v1/auth/token", json={**AGENT, "days": 2})
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert dt.timedelta(days=2) - dt.timedelta(minutes=1) < expires - clock.now() <= dt.timedelta(days=2)
    default = _token(client)
    assert client.get("/api/v1/me", headers=_bearer(r.json()["token"])).status_code == 200
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + dt.timedelta(days=2, minutes=1))
    r = client.get("/api/v1/me", headers=_bearer(r.json()["token"]))
    assert r.status_code == 401 and r.json()["rule"] == "API token expired"
    assert client.get("/api/v1/me", headers=_bearer(default)).status_code == 200  # 30 days by default
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + dt.timedelta(days=28))
    assert client.get("/api/v1/me", headers=_bearer(default)).json()["title"] == "Not signed in"


def test_a_token_may_not_ask_for_more_days_than_the_setting(client):
    r = client.post("/api/v1/auth/token", json={**AGENT, "days": 31})
    assert r.status_code == 422 and r.json()["rule"] == "API token lifetime"


def test_the_owner_lists_and_revokes_their_tokens(client):
    first, second = _token(client, label="laptop"), _token(client, label="phone")
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(first)).json()
    assert [t["label"] for t in listed] == ["phone", "laptop"]
    assert first not in str(listed) and second not in str(listed)
    assert listed[1]["last_used_at"] is not None and listed[0]["last_used_at"] is None
    r = client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=_bearer(first))
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = client.get("/api/v1/me", headers=_bearer(second))
    assert r.status_code == 401 and r.json()["rule"] == "API token revoked"
    r = client.get("/api/v1/me", headers=_bearer("nemt_made-up"))
    assert r.status_code == 401 and r.json()["rule"] == "API tokens"


def test_nobody_else_revokes_a_token(client, token_for):
    mine = _token(client)
    token_id = client.get("/api/v1/auth/tokens", headers=_bearer(mine)).json()[0]["id"]
    r = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=token_for("dispatcher"))
    assert r.status_code == 404
    assert client.get("/api/v1/me", headers=_bearer(mine)).status_code == 200


def test_a_token_revokes_itself(client):
    token = _token(client)
    assert client.post("/api/v1/auth/revoke", headers=_bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_issue_and_revoke_are_audited_without_the_token(client, demo):
    token = _token(client)
    token_id = client.get("/api/v1/auth/tokens", headers=_bearer(token)).json()[0]["id"]
    client.delete(f"/api/v1/auth/tokens/{token_id}", headers=_bearer(token))
    with demo() as uow:
        events = [(e.action, e.detail) for e in reversed(uow.audit.recent(50)) if e.entity == "api-token"]
    assert [a for a, _ in events] == ["issue", "revoke"]
    assert all(token not in str(detail) for _, detail in events)


def test_the_command_line_issues_lists_and_revokes(client, db):
    def run(*args: str) -> subprocess.CompletedProcess:
        return nemt_cli(db, "users", *args)

    issued = run("token", "agent", "--days", "3")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    listed = run("tokens", "agent")
    assert listed.returncode == 0 and token not in listed.stdout
    token_id = listed.stdout.splitlines()[1].split("\t")[0]
    assert run("revoke-token", token_id).returncode == 0
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert "revoked" in run("tokens", "agent").stdout
    too_long = run("token", "agent", "--days", "90")
    assert too_long.returncode == 2 and "API token lifetime" in too_long.stderr
    code = run("totp-code", "admin")
    assert code.returncode == 0 and code.stdout.strip().isdigit()
    assert run("totp-code", "agent").returncode == 2
