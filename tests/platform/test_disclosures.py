"""The accounting of disclosures (issue 14, "what it must have" 3; 45 CFR 164.528): for a member, who read or changed
the record, when, and through what — the API, a page or a command, with the endpoint — for auditors and
administrators only; reading it is itself recorded."""

from __future__ import annotations

from nemt.store.models import AuditEvent
from tests.conftest import nemt_cli


def _member_key(client, headers) -> str:
    [member] = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=headers).json()
    return member["key"]


def test_the_accounting_names_who_when_and_through_what(client, token_for):
    agent = token_for("agent")
    key = _member_key(client, agent)
    assert client.get(f"/api/v1/members/{key}", headers=agent).status_code == 200
    r = client.get(f"/api/v1/members/{key}/disclosures", headers=token_for("auditor"))
    assert r.status_code == 200, r.text
    rows = r.json()
    seen = {(d["username"], d["action"], d["entity"], d["channel"], d["endpoint"]) for d in rows}
    assert ("agent", "read", "member", "api", "POST /api/v1/members/search") in seen
    assert ("agent", "read", "member", "api", "GET /api/v1/members/{key}") in seen
    assert all(d["organization"] == "Front Range Ride Broker (demo SDE)" for d in rows if d["username"] == "agent")
    assert all(key not in d["endpoint"] for d in rows)  # route templates, never the member's key
    # Reading the accounting is itself in the accounting.
    again = client.get(f"/api/v1/members/{key}/disclosures", headers=token_for("admin")).json()
    assert ("auditor", "read", "disclosures", "api") in {(d["username"], d["action"], d["entity"], d["channel"])
                                                        for d in again}


def test_only_auditors_and_administrators_of_the_program_read_it(client, token_for):
    key = _member_key(client, token_for("agent"))
    for username in ("agent", "dispatcher", "driver", "facility", "provider"):
        r = client.get(f"/api/v1/members/{key}/disclosures", headers=token_for(username))
        assert r.status_code == 403, (username, r.status_code)
    # Connecticut's auditor is answered as for an unknown member.
    assert client.get(f"/api/v1/members/{key}/disclosures", headers=token_for("ct-auditor")).status_code == 404


def test_the_member_page_shows_the_accounting_to_an_auditor_only(client, token_for):
    from tests.web.helpers import sign_in

    key = _member_key(client, token_for("agent"))
    sign_in(client, "agent")
    assert "Accounting of disclosures" not in client.get(f"/members/{key}").text
    sign_in(client, "auditor")
    member_page = client.get(f"/members/{key}")
    assert f'href="/members/{key}/disclosures"' in member_page.text  # the member page links to it
    page = client.get(f"/members/{key}/disclosures")
    assert page.status_code == 200 and "Accounting of disclosures" in page.text
    assert "web page GET /members/{key}" in page.text  # the agent's page view, through the page channel
    assert "API POST /api/v1/members/search" in page.text


def test_the_command_lists_it_and_is_recorded_as_a_command(client, token_for, db, uow_factory):
    key = _member_key(client, token_for("agent"))
    result = nemt_cli(db, "audit", "disclosures", "--", key)
    assert result.returncode == 0, result.stderr
    assert "agent (call-center-agent, Front Range Ride Broker (demo SDE))  read member  API POST" in result.stdout
    with uow_factory() as uow:
        mine = [e for e in uow.audit.recent(20) if e.entity == "disclosures"]
        assert [(e.channel, e.endpoint) for e in mine] == [("command", "nemt audit disclosures")]
        assert isinstance(mine[0], AuditEvent) and mine[0].member_id is not None
    unknown = nemt_cli(db, "audit", "disclosures", "no-such-key")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: member: no such member")
