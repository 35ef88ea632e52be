"""The audit chain's one-round-trip append (``nemt.store.audit_chain_pg``): the hashes the server computes are the
ones :func:`nemt.store.audit_chain.event_hash` computes, whatever the event holds; the commit it sends is the
transaction's whole commit; an event refused leaves nothing written. On both databases (SQLite keeps the Python
path), so the two paths are held to the same chain."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nemt.domain.actors import Actor
from nemt.services.platform import audit, audit_chain
from nemt.store import audit_chain_pg
from nemt.store.audit_chain import GENESIS, canonical, event_hash, fields_of
from nemt.store.limits import FieldRefused
from nemt.store.models import AuditEvent, Organization

SYSTEM = Actor.system("chain-pg-test")

AWKWARD = [
    {"text": "Señora Müller — ünïcode ☃ and \U0001f691", "quote": 'say "hi" \\ back\\', "tab": "a\tb\nc"},
    {"nested": {"z": [1, 2.5, -0.0, 1e-7, 12345678901234567890], "a": None, "t": True}, "empty": {}, "list": []},
    {"marker-like": "prev-" + "0" * 32, "seq": "seq-1", "prev_hash": "x" * 64, "\u00e9key": "value"},
    {},
]


def _chain(uow_factory) -> list[AuditEvent]:
    with uow_factory() as uow:
        return list(uow.audit.chain())


def test_server_hashes_equal_the_python_hashes_for_awkward_details(uow_factory):
    for detail in AWKWARD:  # one event per commit
        with uow_factory() as uow:
            audit.record(uow, SYSTEM, "read", "thing", None, **detail)
            uow.commit()
    with uow_factory() as uow:  # several events in one commit, chained in order
        for n, detail in enumerate(AWKWARD):
            audit.record(uow, SYSTEM, "update", "thing", None, n=n, **detail)
        uow.commit()
    events = _chain(uow_factory)
    assert [e.seq for e in events] == list(range(1, 2 * len(AWKWARD) + 1))
    prev = GENESIS
    for event in events:
        assert event.prev_hash == prev and event.hash == event_hash(fields_of(event), prev)
        prev = event.hash
    with uow_factory() as uow:
        verdict = audit_chain.verify(uow, ())
    assert verdict.ok and verdict.events == 2 * len(AWKWARD)


def test_the_events_carry_their_place_and_hash_after_the_commit(uow_factory):
    with uow_factory() as uow:
        audit.record(uow, SYSTEM, "read", "thing", None, k=1)
        uow.commit()
    with uow_factory() as uow:
        first, second = (AuditEvent(username="chain", role="system", action="read", entity="thing", detail={"k": k})
                         for k in (2, 3))
        uow.audit.add_all([first, second])
        uow.commit()
        stored = {e.seq: (e.prev_hash, e.hash) for e in uow.audit.chain()}
    assert (first.seq, second.seq) == (2, 3)
    assert stored[2] == (first.prev_hash, first.hash) and stored[3] == (second.prev_hash, second.hash)
    assert second.prev_hash == first.hash


def test_the_commit_holds_the_units_other_writes(db, uow_factory):
    with uow_factory() as uow:
        uow.session.add(Organization(key="chain-org", kind="broker", name="Chain Org", program="CO"))
        audit.record(uow, SYSTEM, "create", "organization", None)
        uow.commit()
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Organization)
                                  .where(Organization.key == "chain-org")) == 1
        assert [e.action for e in uow.audit.chain()] == ["create"]
        # the session goes on working after the commit the chain sent: a second unit in the same session
        audit.record(uow, SYSTEM, "read", "organization", None)
        uow.commit()
    assert [e.seq for e in _chain(uow_factory)] == [1, 2]


def test_a_refused_event_leaves_nothing_written(uow_factory):
    with pytest.raises(FieldRefused):
        with uow_factory() as uow:
            uow.session.add(Organization(key="never-org", kind="broker", name="Never", program="CO"))
            audit.record(uow, Actor.system("x" * 500), "read", "thing", None)
            uow.commit()
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Organization)
                                  .where(Organization.key == "never-org")) == 0
    assert _chain(uow_factory) == []


def test_the_pieces_put_back_together_are_the_canonical_text():
    fields = {"seq": 7, "at": dt.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=dt.UTC), "user_id": None,
              "username": "a", "role": "r", "organization_id": 3, "action": "read", "entity": "e", "member_id": None,
              "detail": AWKWARD[0], "channel": "api", "endpoint": "GET /x"}
    prev_mark, seq_mark = audit_chain_pg.markers()
    a, b, c = audit_chain_pg.pieces(canonical({**fields, "seq": seq_mark}, prev_mark).decode("ascii"))
    assert (a + "f" * 64 + b + "7" + c).encode("ascii") == canonical(fields, "f" * 64)


def test_a_text_holding_a_marker_twice_is_refused():
    prev_mark, _seq_mark = audit_chain_pg.markers()
    with pytest.raises(ValueError, match="marker"):
        audit_chain_pg.pieces(f"{prev_mark} {prev_mark}")
