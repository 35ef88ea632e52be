"""The account-security page: set up a second factor with a QR code (inline SVG), confirm it, sign in with it; the
user's own API tokens listed (never the token) and revoked; a role that requires the second factor cannot turn it
off."""

from __future__ import annotations

import pyotp

from nemt import clock
from tests.web.helpers import csrf_of, sign_in


def test_a_user_sets_up_a_second_factor_and_signs_in_with_it(client, demo):
    csrf = sign_in(client, "dispatcher")
    page = client.get("/account/security")
    assert page.status_code == 200 and "No second factor is set up" in page.text
    page = client.post("/account/security/start", data={"csrf_token": csrf})
    assert '<svg' in page.text and "otpauth://totp/NEMT%20platform:dispatcher" in page.text
    with demo() as uow:
        secret = uow.users.by_username("dispatcher").totp_pending
    assert secret in page.text
    r = client.post("/account/security/confirm", data={"csrf_token": csrf, "code": "abc"})
    assert r.status_code == 422 and "does not match" in r.text
    r = client.post("/account/security/confirm", data={"csrf_token": csrf, "code": pyotp.TOTP(secret).at(clock.now())},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "A second factor is set up" in client.get("/account/security").text
    client.cookies.clear()
    form = client.get("/login")
    r = client.post("/login", data={"username": "dispatcher", "password": "dispatcher-demo-2026",
                                    "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert r.headers["location"] == "/login/code"


def test_the_page_lists_and_revokes_the_users_tokens(client):
    r = client.post("/api/v1/auth/token", json={"username": "agent", "password": "agent-demo-2026", "label": "van"})
    token = r.json()["token"]
    csrf = sign_in(client, "agent")
    page = client.get("/account/security")
    assert "van" in page.text and token not in page.text
    token_id = client.get("/api/v1/auth/tokens").json()[0]["id"]
    r = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    r = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": "forged"})
    assert r.status_code == 403


def test_an_administrator_cannot_turn_the_required_second_factor_off(client):
    csrf = sign_in(client, "admin")
    page = client.get("/account/security")
    assert "cannot be turned off" in page.text
    r = client.post("/account/security/disable", data={"csrf_token": csrf, "code": "123456"})
    assert r.status_code == 403 and "requires a second factor" in r.text
