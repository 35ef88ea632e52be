"""Server-side web sessions (45 CFR 164.312(a)(2)(iii) automatic logoff): sign-out ends the session, so a copied
cookie stops working; idle timeout and absolute lifetime from settings; last-seen written at most once a minute;
CSRF on API writes sent with the session cookie."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt import clock
from nemt.services.platform import auth, sessions
from tests.web.helpers import sign_in


def _member_key(client, token_for) -> str:
    r = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=token_for("agent"))
    assert r.status_code == 200, r.text
    return r.json()[0]["key"]


def _ahead(monkeypatch, delta: dt.timedelta) -> None:
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + delta)


def _audit(uow_factory, entity: str) -> list[tuple[str, str, dict]]:
    """(user name, action, detail) of the audit records about ``entity``, oldest first."""
    with uow_factory() as uow:
        return [(e.username, e.action, e.detail) for e in reversed(uow.audit.recent(1000)) if e.entity == entity]


def test_a_copied_cookie_stops_working_at_sign_out(client, token_for, uow_factory):
    key = _member_key(client, token_for)
    csrf = sign_in(client, "agent")
    assert client.get("/api/v1/me").json()["username"] == "agent"
    assert client.get(f"/members/{key}", follow_redirects=False).status_code == 200
    copied = dict(client.cookies)
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.clear()
    client.cookies.update(copied)  # the attacker's copy of the cookie, taken before sign-out
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["rule"] == "authentication"
    r = client.get(f"/members/{key}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    ended = [user for user, _, detail in _audit(uow_factory, "session") if detail.get("reason") == "sign-out"]
    assert ended == ["agent"]


def test_idle_timeout_ends_the_session(client, monkeypatch, uow_factory):
    sign_in(client, "agent")
    # each step moves the clock on from the last one
    _ahead(monkeypatch, dt.timedelta(minutes=14))
    assert client.get("/api/v1/me").status_code == 200  # in use: the idle clock starts again
    _ahead(monkeypatch, dt.timedelta(minutes=14))
    assert client.get("/api/v1/me").status_code == 200
    _ahead(monkeypatch, dt.timedelta(minutes=15))
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["rule"] == "session idle timeout"
    assert [detail["reason"] for *_, detail in _audit(uow_factory, "session")] == ["idle timeout"]
    _ahead(monkeypatch, -dt.timedelta(minutes=43))  # back in time: the session stays ended
    assert client.get("/api/v1/me").status_code == 401


def test_idle_minutes_and_lifetime_come_from_settings(client, monkeypatch, settings_env):
    settings_env(NEMT_SESSION_IDLE_MINUTES="600", NEMT_SESSION_MAX_HOURS="2")
    sign_in(client, "agent")
    for _ in range(2):  # each step moves the clock on from the last one
        _ahead(monkeypatch, dt.timedelta(minutes=59))
        assert client.get("/api/v1/me").status_code == 200
    _ahead(monkeypatch, dt.timedelta(minutes=3))  # used 3 minutes ago, but 2 hours after sign-in
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["rule"] == "session lifetime"


def test_last_seen_is_written_at_most_once_a_minute(demo, monkeypatch):
    with demo() as uow:
        key = sessions.start(uow, uow.users.by_username("agent"), sessions.FULL)
        uow.commit()
        first = sessions.resolve(uow, key).last_seen_at
        _ahead(monkeypatch, dt.timedelta(seconds=50))
        assert sessions.resolve(uow, key).last_seen_at == first
        _ahead(monkeypatch, dt.timedelta(seconds=11))  # 61 s after the first
        assert sessions.resolve(uow, key).last_seen_at > first
    with demo() as uow:
        assert uow.accounts.session_by_key(auth.token_sha256(key)).last_seen_at > first


def test_unknown_and_forged_keys_are_signed_out(demo):
    with demo() as uow:
        for key in (None, "", "not-a-session"):
            with pytest.raises(Exception) as caught:
                sessions.resolve(uow, key)
            assert getattr(caught.value, "status", None) == 401


def test_ending_every_session_and_token_of_a_user(client, demo):
    sign_in(client, "agent")
    with demo() as uow:
        user = uow.users.by_username("agent")
        token = auth.issue_token(uow, user, "phone").token
        uow.commit()
        assert sessions.end_all_for_user(uow, user, "disabled") == 1
        assert auth.revoke_all_tokens(uow, user) == 1
        uow.commit()
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["rule"] == "API token revoked"


def test_api_writes_with_the_session_cookie_need_the_csrf_header(client):
    csrf = sign_in(client, "agent")
    body = {"medicaid_id": "D100001"}
    r = client.post("/api/v1/members/search", json=body)
    assert r.status_code == 403 and r.json()["rule"] == "CSRF protection"
    r = client.post("/api/v1/members/search", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/api/v1/members/search", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/me").status_code == 200  # reads need no header


def test_a_new_sign_in_gets_a_new_session_key(client):
    sign_in(client, "agent")
    first = dict(client.cookies)
    sign_in(client, "agent")
    assert dict(client.cookies) != first
