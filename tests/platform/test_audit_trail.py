"""The audit-trail use case shared by the API and the auditor's page: one limit rule, the program's events only, the
read itself audited."""

from __future__ import annotations

import pytest

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.services.platform import audit
from nemt.services.platform.errors import Forbidden

AUDITOR = Actor(7, "auditor", Role.AUDITOR.value, 1, OrgKind.DEPARTMENT.value, "CO")
AGENT = Actor(8, "agent", Role.AGENT.value, 2, OrgKind.BROKER.value, "CO")


class _FakeAuditRepository:
    def __init__(self) -> None:
        self.added: list = []
        self.asked: list[tuple[int, Actor]] = []

    def recent(self, limit: int, actor: Actor) -> list[str]:
        self.asked.append((limit, actor))
        return ["event"] * min(limit, 3)

    def add(self, event) -> None:
        self.added.append(event)


class _FakeUnitOfWork:
    def __init__(self) -> None:
        self.audit = _FakeAuditRepository()
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1


@pytest.mark.parametrize("asked, rows", [(None, 200), (50, 50), (0, 1), (-5, 1), (5000, 1000)])
def test_one_limit_rule(asked, rows):
    assert audit.trail_rows(asked) == rows


def test_trail_reads_the_actors_events_and_audits_the_read():
    uow = _FakeUnitOfWork()
    events = audit.trail(uow, AUDITOR, 2)
    assert events == ["event", "event"]
    assert uow.audit.asked == [(2, AUDITOR)]
    [read] = uow.audit.added
    assert (read.action, read.entity, read.detail, read.username) == ("read", "audit-trail", {"rows": 2}, "auditor")
    assert uow.commits == 1


def test_trail_needs_the_audit_permission():
    uow = _FakeUnitOfWork()
    with pytest.raises(Forbidden):
        audit.trail(uow, AGENT)
    assert uow.audit.asked == [] and uow.audit.added == []


def test_api_and_page_apply_the_same_limit(client, token_for):
    from tests.web.helpers import sign_in

    auditor = token_for("auditor")
    client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=token_for("agent"))
    assert len(client.get("/api/v1/audit", params={"limit": 0}, headers=auditor).json()) == 1
    assert len(client.get("/api/v1/audit", params={"limit": -3}, headers=auditor).json()) == 1
    assert len(client.get("/api/v1/audit", params={"limit": 2}, headers=auditor).json()) == 2
    sign_in(client, "auditor")
    assert client.get("/audit?limit=0").status_code == 200


def test_the_trail_keeps_to_the_program(client, token_for):
    client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=token_for("agent"))
    ct_auditor = token_for("ct-auditor")
    client.get("/api/v1/audit", headers=ct_auditor)  # the first read is itself in the trail
    ct = client.get("/api/v1/audit", params={"limit": 1000}, headers=ct_auditor).json()
    assert ct and all(e["username"].startswith("ct-") for e in ct)
