"""Values no column can hold, in a key, a filter or a looked-up value: a NUL character (PostgreSQL refuses such a
parameter, SQLite finds nothing) or an integer wider than its column (PostgreSQL's "integer out of range", SQLite's
OverflowError) were 500s before ``nemt.store.limits.check_parameters``. Both databases now answer the same
documented 422 naming the field and the rule, before any statement is sent (issue 14, item 7)."""

from __future__ import annotations

import pytest

from nemt.store.limits import NUMBER_RANGE, TEXT_WITHOUT_NUL

# (user, method, path, query, body): one of each way a text reaches a query — path key, query filter, body value.
REQUESTS = [
    ("agent", "GET", "/api/v1/members/%00", None, None),
    ("agent", "GET", "/api/v1/rides/%00", None, None),
    ("agent", "GET", "/api/v1/notices/%00", None, None),
    ("agent", "GET", "/api/v1/standing-orders/%00", None, None),
    ("agent", "POST", "/api/v1/members/search", None, {"last_name": "Smith\x00", "birth_date": "1950-01-01"}),
    ("admin", "GET", "/api/v1/claims/%00", None, None),
    ("admin", "GET", "/api/v1/claims", {"status": "ready\x00"}, None),
    ("provider", "GET", "/api/v1/trip-log/legs/%00", None, None),
    ("provider", "POST", "/api/v1/claims/export", None, {"claim_numbers": ["C\x00"]}),
    ("driver", "POST", "/api/v1/trip-log/legs/%00/events", None, {"kind": "arrived"}),
    ("dispatcher", "GET", "/api/v1/vehicles/%00/manifest", {"date": "2026-11-18"}, None),
    ("dispatcher", "POST", "/api/v1/legs/%00/assign", None, {"vehicle": "V\x00"}),
]


@pytest.mark.parametrize(("user", "method", "path", "query", "body"), REQUESTS,
                         ids=[f"{m} {p}" for _, m, p, *_ in REQUESTS])
def test_a_nul_character_in_a_lookup_is_a_422_naming_the_field(client, token_for, user, method, path, query, body):
    r = client.request(method, path, headers=token_for(user), params=query, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["rule"] == TEXT_WITHOUT_NUL and problem["field"] and "NUL" in problem["detail"]
    assert "\x00" not in r.text and "\\u0000" not in r.text  # the refused value is not echoed


def test_the_page_of_a_key_with_a_nul_is_the_422_page(client):
    from tests.web.helpers import sign_in

    sign_in(client, "agent")
    r = client.get("/trips/%00")
    assert r.status_code == 422 and "text without NUL" in r.text


@pytest.mark.parametrize("token_id", [2**31, 10**20, -(10**20)])
def test_an_integer_wider_than_its_column_is_a_422_naming_the_field(client, token_for, token_id):
    r = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=token_for("agent"))
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == NUMBER_RANGE and r.json()["field"] == "id"
