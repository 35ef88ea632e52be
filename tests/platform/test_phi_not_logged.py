"""Member names, IDs, birth dates and addresses never appear in logs: run the main flows with every logger at
DEBUG and scan what they wrote for the demo members' identifiers."""

from __future__ import annotations

import logging

import pytest

from nemt.services.demo import DEMO_LOGINS


def _identifiers(uow_factory) -> set[str]:
    from sqlalchemy import select

    from nemt.store.models import Member

    found: set[str] = set()
    with uow_factory() as uow:
        for m in uow.session.scalars(select(Member)):
            found |= {m.medicaid_id, f"{m.first_name} {m.last_name}", f"{m.last_name}, {m.first_name}",
                      m.birth_date.isoformat(), m.address_line}
    return found


def test_main_flows_leave_no_member_data_in_logs(client, demo, token_for, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    agent = token_for("agent")
    for login in DEMO_LOGINS:
        token_for(login.username)
    found = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=agent).json()
    client.get(f"/api/v1/members/{found[0]['key']}", headers=agent)
    client.post("/api/v1/members/search", json={"last_name": found[0]["last_name"],
                                                "birth_date": found[0]["birth_date"]}, headers=agent)
    client.post("/api/v1/members/search", json={"medicaid_id": "X999999"}, headers=agent)
    client.post("/api/v1/members/search", json={"medicaid_id": "bad id"}, headers=agent)
    client.get(f"/api/v1/members/{found[0]['key']}", headers=token_for("provider"))
    client.get("/api/v1/audit", headers=token_for("auditor"))
    text = caplog.text
    assert text, "the flows should have logged something (request lines at least), or the scan proves nothing"
    leaked = sorted(i for i in _identifiers(demo) if i and i in text)
    assert leaked == []


def test_a_failing_statement_never_shows_its_values(db):
    """A database error (which a 500 or a log line may carry) hides the statement's bound values: member data."""
    from sqlalchemy import text

    secret = "Jane Q. Example, D123456, 1960-01-02"
    with pytest.raises(Exception) as err, db.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": secret})
    assert secret not in str(err.value) and "hidden" in str(err.value)
