"""PostgreSQL: the audit chain's append and the commit in ONE round trip, the hashes computed by the server.

Why: every writer of every process waits for the chain's head from the moment one transaction locks it until that
transaction commits (``nemt.store.audit_chain``). When the lock, the hashing and the commit were three round trips,
the lock was held while the holder's process was busy with other requests: under the call center's load
(``python -m benchmarks load``, 50 requests a second) three or four connections were waiting on the head on
average and answers took ten times their work. Here the transaction's last statements — make sure the head exists,
lock it, chain and insert the events, move the head — and its ``COMMIT`` go to the server together (psycopg's
pipeline mode), so the head is held only while the server runs them, never while a client thinks.

The hashes are the same as :func:`nemt.store.audit_chain.event_hash`: the canonical text of each event is made
here in Python with markers where its ``prev_hash`` and ``seq`` go, cut at the markers, and the server joins the
pieces with the previous hash and the next number and takes SHA-256 (``sha256(convert_to(..., 'UTF8'))``, the text
being ASCII). ``nemt audit verify`` recomputes every hash in Python, so a difference would show at once
(``tests/platform/test_audit_chain_pg.py`` compares them on awkward details).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy.orm import Session

from nemt.store.models import AuditEvent

#: The head row, made from the last event (or the genesis) when it is missing (a new or truncated table), as
#: ``audit_chain._locked_head`` does; a plain read first, so a present head is never waited for here.
_HEAD_IF_MISSING = """
INSERT INTO audit_chain_head (id, seq, hash)
SELECT %(head_id)s,
       coalesce((SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1), 0),
       coalesce((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), %(genesis)s)
WHERE NOT EXISTS (SELECT 1 FROM audit_chain_head WHERE id = %(head_id)s)
ON CONFLICT (id) DO NOTHING
"""

#: Lock the head, chain the events in order (a recursive walk: each hash over the previous one), insert them, move
#: the head; each event's place, previous hash and hash come back. A head that vanished in between leaves ``seq``
#: NULL, which the table refuses: the transaction fails whole. The events come as one JSON array (their fields and
#: the three pieces of their canonical text): one parameter to send, where eleven text arrays cost a tenth of a
#: member search's CPU in psycopg's quoting of each element (``python -m benchmarks load``).
_APPEND = """
WITH RECURSIVE head AS (
    SELECT seq, hash FROM audit_chain_head WHERE id = %(head_id)s FOR UPDATE
), given AS (
    SELECT e->>'a' AS a, e->>'b' AS b, e->>'c' AS c, (e->>'at')::timestamptz AS at, (e->>'user_id')::int AS user_id,
           e->>'username' AS username, e->>'role' AS role, (e->>'organization_id')::int AS organization_id,
           e->>'action' AS action, e->>'entity' AS entity, (e->>'member_id')::int AS member_id,
           e->>'detail' AS detail, e->>'channel' AS channel, e->>'endpoint' AS endpoint, i
    FROM json_array_elements(%(events)s::json) WITH ORDINALITY AS g(e, i)
), chain(i, seq, hash) AS (
    SELECT 0::bigint, seq, hash::text FROM head
    UNION ALL
    SELECT pieces.i, chain.seq + 1,
           encode(sha256(convert_to(pieces.a || chain.hash || pieces.b || (chain.seq + 1)::text || pieces.c, 'UTF8')),
                  'hex')
    FROM chain JOIN given pieces ON pieces.i = chain.i + 1
), written AS (
    INSERT INTO audit_events (seq, at, user_id, username, role, organization_id, action, entity, member_id, detail,
                              channel, endpoint, prev_hash, hash)
    SELECT this.seq, g.at, g.user_id, g.username, g.role, g.organization_id, g.action, g.entity, g.member_id,
           g.detail::json, g.channel, g.endpoint, before.hash, this.hash
    FROM given g LEFT JOIN chain this ON this.i = g.i LEFT JOIN chain before ON before.i = g.i - 1
), moved AS (
    UPDATE audit_chain_head SET seq = last.seq, hash = last.hash
    FROM (SELECT seq, hash FROM chain ORDER BY i DESC LIMIT 1) AS last
    WHERE audit_chain_head.id = %(head_id)s
)
SELECT this.seq, before.hash, this.hash FROM chain this JOIN chain before ON before.i = this.i - 1 ORDER BY this.i
"""

# Markers for the two values the server fills in; random, so no event's text can hold them by chance.
_PREV = f"prev-{secrets.token_hex(16)}"
_SEQ = f"seq-{secrets.token_hex(16)}"


def pieces(canonical_text: str) -> tuple[str, str, str]:
    """The canonical text of an event made with the markers, cut into the three pieces around ``prev_hash`` and
    ``seq`` (the keys are sorted, so ``prev_hash`` comes first)."""
    before_prev, rest = _cut(canonical_text, _PREV)
    between, after_seq = _cut(rest, json.dumps(_SEQ))  # the number's marker is a JSON string: cut its quotes too
    return before_prev, between, after_seq


def _cut(text: str, marker: str) -> tuple[str, str]:
    first, found, rest = text.partition(marker)
    if not found or marker in rest:
        raise ValueError("an audit event's canonical text must hold each marker once")
    return first, rest


def append_and_commit(session: Session, events: list[AuditEvent], texts: list[str], genesis: str,
                      head_id: int) -> None:
    """Write ``events`` (their fields final, ``texts`` their canonical texts made with :func:`markers`) at the end
    of the chain and COMMIT the session's transaction, in one round trip; the events get their ``seq``,
    ``prev_hash`` and ``hash``. The session's other changes must already be flushed."""
    given = []
    for item, text in zip(events, texts, strict=True):
        a, b, c = pieces(text)
        given.append({"a": a, "b": b, "c": c, "at": item.at.isoformat(), "user_id": item.user_id,
                      "username": item.username, "role": item.role, "organization_id": item.organization_id,
                      "action": item.action, "entity": item.entity, "member_id": item.member_id,
                      "detail": json.dumps(item.detail), "channel": item.channel, "endpoint": item.endpoint})
    params: dict[str, Any] = {"head_id": head_id, "genesis": genesis, "events": json.dumps(given)}
    raw = session.connection().connection.driver_connection  # psycopg's connection, inside the session's transaction
    assert raw is not None
    with raw.pipeline():
        raw.execute(_HEAD_IF_MISSING, params)
        chained = raw.execute(_APPEND, params)
        raw.execute("COMMIT")
    for item, (seq, prev_hash, digest) in zip(events, chained.fetchall(), strict=True):
        item.seq, item.prev_hash, item.hash = int(seq), str(prev_hash), str(digest)


def markers() -> tuple[str, str]:
    """The values to put in an event's ``prev_hash`` and ``seq`` when making the text :func:`pieces` cuts."""
    return _PREV, _SEQ
