"""The API: health, OpenAPI, tokens, roles, organization scoping, problem+json, web log-in with CSRF."""

from __future__ import annotations

import re

PROBLEM = "application/problem+json"


def test_health_and_docs(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    # Each endpoint states which roles may use it.
    summary = spec["paths"]["/api/v1/members/search"]["post"]["summary"]
    assert "Roles:" in summary and "call-center-agent" in summary


def test_token_and_member_search_by_id(client, token_for):
    headers = token_for("agent")
    r = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=headers)
    assert r.status_code == 200
    [member] = r.json()
    assert member["medicaid_id"] == "D100001"
    assert len(member["key"]) >= 20 and "D100001" not in member["key"]
    r2 = client.get(f"/api/v1/members/{member['key']}", headers=headers)
    assert r2.status_code == 200 and r2.json()["medicaid_id"] == "D100001"


def test_search_by_name_and_birth_date(client, token_for):
    headers = token_for("agent")
    [m] = client.post("/api/v1/members/search", json={"medicaid_id": "D100002"}, headers=headers).json()
    r = client.post("/api/v1/members/search", headers=headers,
                    json={"last_name": m["last_name"].upper(), "birth_date": m["birth_date"]})
    assert m["key"] in [x["key"] for x in r.json()]


def test_errors_are_problem_json_naming_field_and_rule(client, token_for):
    headers = token_for("agent")
    r = client.post("/api/v1/members/search", json={"medicaid_id": "12345"}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["field"] == "medicaid_id" and "CMS 1500" in body["rule"]
    r = client.post("/api/v1/members/search", json={"birth_date": "not-a-date"}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "birth_date"


def test_unauthenticated_and_bad_token(client):
    r = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"})
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)
    r = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"},
                    headers={"Authorization": "Bearer nemt_forged"})
    assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "agent", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["field"] == "password"


def test_roles_are_enforced(client, token_for):
    r = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=token_for("driver"))
    assert r.status_code == 403 and r.json()["rule"] == "role-based access"
    r = client.get("/api/v1/audit", headers=token_for("agent"))
    assert r.status_code == 403
    assert client.get("/api/v1/audit", headers=token_for("auditor")).status_code == 200


def test_organization_scoping(client, token_for):
    """A Connecticut agent does not see Colorado members; a provider sees no member it has no trip with."""
    co_key = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"},
                         headers=token_for("agent")).json()[0]["key"]
    assert client.post("/api/v1/members/search", json={"medicaid_id": "D100001"},
                       headers=token_for("ct-agent")).json() == []
    assert client.get(f"/api/v1/members/{co_key}", headers=token_for("ct-agent")).status_code == 404
    assert client.get(f"/api/v1/members/{co_key}", headers=token_for("provider")).status_code == 404


def test_reads_are_audited(client, token_for):
    headers = token_for("agent")
    key = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=headers).json()[0]["key"]
    client.get(f"/api/v1/members/{key}", headers=headers)
    events = client.get("/api/v1/audit", headers=token_for("auditor")).json()
    mine = [e for e in events if e["username"] == "agent"]
    assert {e["action"] for e in mine} >= {"search", "read"}
    assert all(e["role"] == "call-center-agent" for e in mine)
    assert any(e["member_id"] is not None for e in mine)


def test_web_login_needs_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": "agent", "password": "agent-demo-2026", "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/login", data={"username": "agent", "password": "agent-demo-2026", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "nemt_session" in client.cookies
    home = client.get("/")
    assert "call-center agent" in home.text
    # The session cookie authenticates the API too.
    assert client.get("/api/v1/me").json()["username"] == "agent"
