"""The second factor (TOTP, RFC 6238; 45 CFR 164.312(d)): required for administrators and auditors, available to
every user; a code is never accepted twice; a role that requires it reaches only the enrolment page until done."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from nemt import clock
from nemt.services.platform import totp
from nemt.services.platform.errors import Forbidden, InvalidInput, Unauthorized
from tests.conftest import demo_totp
from tests.web.helpers import csrf_of


def _code(secret: str, at: dt.datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or clock.now())


def test_an_administrator_token_needs_the_code_and_a_code_works_once(client):
    body = {"username": "admin", "password": "admin-demo-2026"}
    r = client.post("/api/v1/auth/token", json=body)
    assert r.status_code == 401 and r.json()["rule"] == "second factor"
    code = _code(totp.DEMO_SECRET)
    assert client.post("/api/v1/auth/token", json={**body, "totp": code}).status_code == 200
    r = client.post("/api/v1/auth/token", json={**body, "totp": code})  # replayed
    assert r.status_code == 401 and r.json()["rule"] == "second factor"
    earlier = _code(totp.DEMO_SECRET, clock.now() - dt.timedelta(seconds=30))
    assert client.post("/api/v1/auth/token", json={**body, "totp": earlier}).status_code == 401  # older step
    later = _code(totp.DEMO_SECRET, clock.now() + dt.timedelta(seconds=30))
    assert client.post("/api/v1/auth/token", json={**body, "totp": later}).status_code == 200


def test_wrong_codes_count_towards_the_lockout(client):
    body = {"username": "auditor", "password": "auditor-demo-2026", "totp": "000000"}
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json=body).status_code == 401
    r = client.post("/api/v1/auth/token", json={**body, "totp": demo_totp(client, "auditor")})
    assert r.status_code == 401 and r.json()["rule"] == "log-in"  # locked


def test_an_administrator_signs_in_with_password_then_code(client):
    form = client.get("/login")
    r = client.post("/login", data={"username": "admin", "password": "admin-demo-2026",
                                    "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert r.headers["location"] == "/login/code"
    # Half signed in: neither the pages nor the API open yet.
    assert client.get("/audit", follow_redirects=False).headers["location"] == "/login/code"
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/login/code")
    r = client.post("/login/code", data={"totp": "123456", "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)
    assert r.status_code == 401 and "wrong or was already used" in r.text
    r = client.post("/login/code", data={"totp": demo_totp(client, "admin"), "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/api/v1/me").json()["username"] == "admin"


def test_a_role_that_requires_it_reaches_only_the_enrolment_page_until_done(client, demo):
    with demo() as uow:
        uow.users.by_username("auditor").totp_secret = None  # an auditor who has not set it up yet
        uow.commit()
    r = client.post("/api/v1/auth/token", json={"username": "auditor", "password": "auditor-demo-2026"})
    assert r.status_code == 401 and r.json()["rule"] == "second factor enrolment"
    form = client.get("/login")
    r = client.post("/login", data={"username": "auditor", "password": "auditor-demo-2026",
                                    "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert r.headers["location"] == "/account/security"
    assert client.get("/audit", follow_redirects=False).headers["location"] == "/account/security"
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/account/security")
    assert page.status_code == 200 and "requires a second factor" in page.text
    page = client.post("/account/security/start", data={"csrf_token": csrf_of(page.text)})
    assert "<svg" in page.text and "otpauth://totp/" in page.text
    with demo() as uow:
        secret = uow.users.by_username("auditor").totp_pending
    r = client.post("/account/security/confirm", data={"csrf_token": csrf_of(page.text), "code": _code(secret)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/audit").status_code == 200
    with demo() as uow:
        user = uow.users.by_username("auditor")
        assert user.totp_secret == secret and user.totp_pending is None


def test_enrol_and_disable_for_a_user_whose_role_does_not_require_it(demo, monkeypatch):
    with demo() as uow:
        agent = uow.users.by_username("agent")
        assert not totp.required(agent) and not totp.enrolled(agent)
        secret = totp.begin_enrolment(uow, agent)
        with pytest.raises(InvalidInput):
            totp.confirm_enrolment(uow, agent, "000000" if _code(secret) != "000000" else "111111")
        totp.confirm_enrolment(uow, agent, _code(secret))
        assert totp.enrolled(agent)
        with pytest.raises(Unauthorized):  # the code just used to confirm cannot turn it off
            totp.disable(uow, agent, _code(secret))
        monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + dt.timedelta(seconds=30))
        totp.disable(uow, agent, _code(secret))
        assert not totp.enrolled(agent)
        admin = uow.users.by_username("admin")
        with pytest.raises(Forbidden):
            totp.disable(uow, admin, _code(totp.DEMO_SECRET))
        actions = [e.action for e in uow.audit.recent(10) if e.entity == "account"]
        assert actions[:2] == ["disable second factor", "enrol second factor"]


def test_demo_codes_are_printed_for_demo_accounts_only(demo):
    with demo() as uow:
        assert totp.demo_code(uow, "admin").isdigit()
        with pytest.raises(Exception) as caught:
            totp.demo_code(uow, "agent")
        assert caught.value.status == 404


def test_the_demo_code_never_picks_a_step_the_half_minute_could_push_out(demo):
    with demo() as uow:
        admin = uow.users.by_username("admin")
        now = pyotp.TOTP(totp.DEMO_SECRET).timecode(clock.now())
        usable = {pyotp.TOTP(totp.DEMO_SECRET).generate_otp(s) for s in (now, now + 1, now + 2)}  # +2: time passes
        assert totp.demo_code(uow, "admin") in usable
        admin.totp_last_step = now + 2
        with pytest.raises(Unauthorized):  # the usable codes of this half-minute were used
            totp.demo_code(uow, "admin")
