"""The audit trail's hash chain: every event carries its place (``seq``), the previous event's hash and its own.

Why: the triggers and the application role's privileges keep the application from changing the trail, but the
database's owner (or a superuser) can disable triggers, edit, delete or TRUNCATE. The chain makes any of that
evident (45 CFR 164.312(b) audit controls, 164.312(c)(1) integrity): ``nemt audit verify`` recomputes every hash, and
the anchors ``nemt audit anchor`` writes outside the database catch a rewrite or truncation of the whole table.

How events are chained, exactly, under concurrency: ``AuditRepository.add`` only queues an event on the session.
At commit (``before_commit``) the rest of the unit of work is flushed first — so the transaction already holds every
other row lock it needs — then the one-row chain head is locked (a row lock on PostgreSQL, the write lock on
SQLite), the queued events get the next numbers and their hashes, the head moves, and the events are inserted.
Writers therefore serialize only from that point to the end of their commit (measured by ``python -m benchmarks
audit``; ``python -m benchmarks load`` under a call center's load). On PostgreSQL that stretch is one round trip:
the lock, the chaining (hashes computed by the server), the insert, the head's move and the COMMIT are sent together
(``nemt.store.audit_chain_pg``), so the head is never held while the writer's process waits for its turn on the CPU.
An event added to the session directly is chained the same way at its flush.

The hash is SHA-256 over a canonical JSON document (sorted keys, no spaces, ASCII) of the event's fields and the
previous hash, prefixed by a version; :func:`event_hash` must never change for version 1, since every stored hash
depends on it. The first event's previous hash is :data:`GENESIS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from nemt import clock
from nemt.store import audit_chain_pg
from nemt.store.limits import check_row
from nemt.store.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
VERSION = "nemt-audit-v1"
HEAD_ID = 1
PENDING = "nemt.audit.pending"  # session.info key: events queued by AuditRepository.add, chained at commit
_HEAD = cast(Table, AuditChainHead.__table__)

# The fields a hash covers, besides the previous hash (every column but the row id and the hash itself).
CHAINED_FIELDS = ("seq", "at", "user_id", "username", "role", "organization_id", "action", "entity", "member_id",
                  "detail", "channel", "endpoint")

# The head's lock, built once (SQLAlchemy keeps the cache key of a statement object; one made again for each
# commit would be keyed again each time).
_LOCK_HEAD = (update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq)
              .returning(_HEAD.c.seq, _HEAD.c.hash))
def _utc_text(value: dt.datetime) -> str:
    """A stored time as the hash sees it: UTC, microseconds (SQLite hands times back naive; they are UTC)."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.isoformat(timespec="microseconds")


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes hashed for one event: version, previous hash and the chained fields as canonical JSON."""
    document = {name: fields[name] for name in CHAINED_FIELDS}
    document["at"] = _utc_text(fields["at"])
    document["prev_hash"] = prev_hash
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return f"{VERSION}\n{text}".encode("ascii")


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def fields_of(row: Any) -> dict[str, Any]:
    """The chained fields of an event (an ``AuditEvent`` or a result row with those attributes)."""
    return {name: getattr(row, name) for name in CHAINED_FIELDS}


def plain_detail(detail: Any) -> dict[str, Any]:
    """The detail as the database will hand it back (JSON types, string keys): what is stored is what is hashed."""
    return json.loads(json.dumps(detail or {}, default=str, allow_nan=False))


# --- chaining ----------------------------------------------------------------------------------------------------


def queue(session: Session, events: Iterable[AuditEvent]) -> None:
    """Queue events to be chained and inserted when the session commits (dropped if it rolls back)."""
    session.info.setdefault(PENDING, []).extend(events)


def _locked_head(session: Session) -> tuple[int, str]:
    """The chain head's (seq, hash), its row locked until the transaction ends. The lock is a write that changes
    nothing (``SET seq = seq … RETURNING``): on PostgreSQL it takes the row lock as ``FOR UPDATE`` would; on SQLite it
    takes the database's write lock *before* the head is read (a plain read would not, and two writers could read the
    same head). A missing head row (a new or truncated table) is created from the last event, or the genesis."""
    row = session.execute(_LOCK_HEAD).first()
    if row is None:
        last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())
                               .limit(1)).first()
        values = {"id": HEAD_ID, "seq": last.seq if last else 0, "hash": last.hash if last else GENESIS}
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(AuditChainHead).values(**values).on_conflict_do_nothing(index_elements=["id"]))
        row = session.execute(_LOCK_HEAD).one()
    return int(row.seq), str(row.hash)


def _finish(item: AuditEvent) -> None:
    """An event's fields as they are stored and hashed: its time (now if not given, in UTC), its detail in JSON
    types, no channel or endpoint as empty text."""
    at = item.at or clock.now()
    item.at = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
    item.detail = plain_detail(item.detail)
    item.channel, item.endpoint = item.channel or "", item.endpoint or ""


def _chained(session: Session, events: list[AuditEvent]) -> tuple[int, str]:
    """Lock the head and give ``events`` (in this order) the next places in the chain and their hashes; returns the
    new head's (seq, hash), not yet written."""
    seq, prev = _locked_head(session)
    for item in events:
        seq += 1
        _finish(item)
        item.seq, item.prev_hash = seq, prev
        item.hash = prev = event_hash(fields_of(item), item.prev_hash)
    return seq, prev


def link(session: Session, events: list[AuditEvent]) -> None:
    """Give ``events`` (in this order) the next places in the chain and their hashes, and move the head."""
    seq, head = _chained(session, events)
    session.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=seq, hash=head))


def _append_and_commit(session: Session, events: list[AuditEvent]) -> None:
    """PostgreSQL: the events' fields made final here, their chaining, insertion and the COMMIT in one round trip,
    the hashes computed by the server (``nemt.store.audit_chain_pg``: why, and how the hashes stay the same)."""
    prev_mark, seq_mark = audit_chain_pg.markers()
    texts = []
    for item in events:
        _finish(item)
        check_row(item)  # what a flush of the rows would have checked (nemt.store.limits)
        texts.append(canonical({**fields_of(item), "seq": seq_mark}, prev_mark).decode("ascii"))
    audit_chain_pg.append_and_commit(session, events, texts, GENESIS, HEAD_ID)


def _before_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()  # the unit of work's other writes first: the head is the last lock a transaction takes
    if session.get_bind().dialect.name == "postgresql":
        _append_and_commit(session, pending)  # the transaction ends here; SQLAlchemy's own COMMIT finds it done
        return
    link(session, pending)
    session.add_all(pending)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    loose = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.hash is None]
    if loose:
        loose.sort(key=lambda obj: obj._sa_instance_state.insert_order)
        link(session, loose)


def _after_soft_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)


def install(factory: sessionmaker[Session]) -> None:
    """Chain the audit events of every session ``factory`` makes."""
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_soft_rollback", _after_soft_rollback)
