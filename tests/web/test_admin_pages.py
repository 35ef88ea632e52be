"""The administration pages: users (list, filters, one user, a new user), organizations, each change behind a
confirmation page, and the public page a one-time link opens."""

from __future__ import annotations

import re

from tests.web.helpers import csrf_of, sign_in, urls_of

LINK = re.compile(r'value="(https?://[^"]+/account/set-password/[^"]+)"')


def _new_user(client, csrf: str, username: str, role: str, org_name: str) -> str:
    """Create a user through the form; returns the one-time link shown."""
    form = client.get("/admin/new-user").text
    org_key = re.search(r'<option value="([^"]+)"[^>]*>' + re.escape(org_name), form).group(1)
    r = client.post("/admin/new-user", data={"username": username, "display_name": username.title(), "role": role,
                                             "organization": org_key, "csrf_token": csrf})
    assert r.status_code == 201, r.text
    assert "It is shown only now" in r.text
    return LINK.search(r.text).group(1)


def test_home_links_administration_for_the_roles_that_may(client):
    for username, shown in (("admin", True), ("provider", True), ("agent", False), ("auditor", False)):
        sign_in(client, username)
        assert ("/admin/users" in urls_of(client.get("/").text)) is shown, username


def test_admin_creates_a_user_who_sets_a_password_and_signs_in(client):
    csrf = sign_in(client, "admin")
    link = _new_user(client, csrf, "page-agent", "call-center-agent", "Front Range Ride Broker")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.cookies.clear()  # the new user's own browser
    form = client.get(path)
    assert form.status_code == 200 and "page-agent" in form.text
    token = csrf_of(form.text)
    r = client.post(path, data={"password": "page-agent-pass", "repeat": "other-pass-123", "csrf_token": token})
    assert r.status_code == 422 and "differ" in r.text
    r = client.post(path, data={"password": "page-agent-pass", "repeat": "page-agent-pass", "csrf_token": token})
    assert r.status_code == 200 and "/login" in urls_of(r.text)
    assert client.get(path).status_code == 404  # once only
    login = client.get("/login")
    r = client.post("/login", data={"username": "page-agent", "password": "page-agent-pass",
                                    "csrf_token": csrf_of(login.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "Page-Agent" in client.get("/").text


def test_users_list_is_scoped_and_filtered(client):
    sign_in(client, "admin")
    page = client.get("/admin/users").text
    assert "/admin/users/agent" in urls_of(page) and "ct-agent" not in page
    only_drivers = client.get("/admin/users", params={"role": "driver"}).text
    assert "/admin/users/driver" in urls_of(only_drivers) and "/admin/users/agent" not in urls_of(only_drivers)
    assert client.get("/admin/users/ct-agent").status_code == 404
    sign_in(client, "provider")
    mine = urls_of(client.get("/admin/users").text)
    assert "/admin/users/driver" in mine and "/admin/users/agent" not in mine
    assert client.get("/admin/users/agent").status_code == 404
    assert client.get("/admin/organizations").status_code == 403


def test_each_change_waits_for_its_confirmation(client):
    csrf = sign_in(client, "admin")
    confirm = client.get("/admin/users/driver/disable")
    assert confirm.status_code == 200 and 'action="/admin/users/driver/disable"' in confirm.text
    assert "/admin/users/driver" in client.get("/admin/users", params={"active": "yes"}).text  # not yet
    assert client.post("/admin/users/driver/disable", data={"csrf_token": "forged"}).status_code == 403
    r = client.post("/admin/users/driver/disable", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/users/driver"
    shown = client.get("/admin/users/driver").text
    assert "is disabled" in shown and "/admin/users/driver/enable" in urls_of(shown)
    confirm = client.get("/admin/users/dispatcher/role", params={"role": "call-center-agent"})
    assert 'name="role" value="call-center-agent"' in confirm.text
    r = client.post("/admin/users/dispatcher/role", data={"role": "call-center-agent", "csrf_token": csrf})
    assert r.status_code == 200 and "now has the role call-center-agent" in r.text
    r = client.post("/admin/users/dispatcher/reset", data={"csrf_token": csrf})
    assert r.status_code == 200 and LINK.search(r.text)
    r = client.post("/admin/users/admin/disable", data={"csrf_token": csrf})
    assert r.status_code == 403 and "your own account" in r.text
    assert "/admin/users/admin/disable" not in urls_of(client.get("/admin/users/admin").text)


def test_provider_admin_may_not_grant_above_their_roles(client):
    csrf = sign_in(client, "provider")
    form = client.get("/admin/new-user").text
    assert 'value="driver"' in form and 'value="administrator"' not in form and 'value="dispatcher"' not in form
    org_key = re.search(r'<option value="([^"]+)"[^>]*>Mile High', form).group(1)
    r = client.post("/admin/new-user", data={"username": "boss", "display_name": "Boss", "role": "administrator",
                                             "organization": org_key, "csrf_token": csrf})
    assert r.status_code == 403 and "may not grant" in r.text
    assert _new_user(client, csrf, "mh-page-driver", "driver", "Mile High Mobility")


def test_organizations_page_creates_and_deactivates(client):
    csrf = sign_in(client, "admin")
    page = client.get("/admin/organizations").text
    assert "Mile High Mobility (demo)" in page and "Connecticut DSS" not in page
    r = client.post("/admin/organizations", data={"kind": "transportation-provider", "name": "Page Vans", "npi": "",
                                                  "csrf_token": csrf})
    assert r.status_code == 422 and "has an NPI" in r.text
    r = client.post("/admin/organizations", data={"kind": "transportation-provider", "name": "Page Vans",
                                                  "npi": "1234567893", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/admin/organizations").text
    key = re.search(r'href="/admin/organizations/([^"/]+)/deactivate">Deactivate<span class="sr-only"> Page Vans',
                    page).group(1)
    assert "Page Vans" in client.get(f"/admin/organizations/{key}/deactivate").text
    r = client.post(f"/admin/organizations/{key}/deactivate", data={"csrf_token": csrf})
    assert r.status_code == 200 and "is deactivated" in r.text


def test_a_bad_link_is_a_plain_not_found(client):
    r = client.get("/account/set-password/not-a-real-token")
    assert r.status_code == 404 and "expired or was already used" in r.text
