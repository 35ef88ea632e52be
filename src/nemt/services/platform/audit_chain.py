"""Verifying the audit trail's hash chain, and the anchors that witness it from outside the database.

``verify`` walks the events in chain order and recomputes each hash (``nemt.store.audit_chain``); the first broken
link is named in words — which event, when, and what is wrong:

- **missing**: a number of the chain is not there (an event was deleted), or the head (the last number the writers
  reached) is past the last event stored (the newest events were deleted, or the table was truncated);
- **reordered**: an event was stored before the one it follows (row ids run against the chain);
- **edited**: an event's fields no longer give its hash, or it no longer names the hash of the event before it (that
  one was changed or replaced after it was written).

The owner of the database could also rewrite the whole chain, or TRUNCATE the table and the head, so that it is
consistent again. Anchors catch that: ``anchor`` gives the head (seq + hash) for a file or system the database's owner
cannot write (``nemt audit anchor --file …`` from cron, a ticket, a printout); ``verify`` with the anchors checks that
every one of them is still in the chain with the same hash (45 CFR 164.312(b), (c)(1)).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass

from nemt import clock
from nemt.services.platform.errors import InvalidInput
from nemt.store.audit_chain import GENESIS, event_hash, fields_of
from nemt.store.models import AuditEvent

_ANCHOR = re.compile(r"^(?P<seq>\d+)\s+(?P<hash>[0-9a-f]{64})(?:\s+(?P<taken>\S+))?\s*$")


@dataclass(frozen=True)
class Anchor:
    """The chain head at one moment: event ``seq`` had hash ``hash`` (``taken``: when the anchor was made)."""

    seq: int
    hash: str
    taken: dt.datetime | None = None

    def line(self) -> str:
        taken = f" {self.taken.astimezone(dt.UTC).isoformat(timespec='seconds')}" if self.taken else ""
        return f"{self.seq} {self.hash}{taken}"


@dataclass(frozen=True)
class Break:
    """The first broken link: the event (``seq``, its time when it is there), the kind of damage, and a sentence."""

    seq: int
    at: dt.datetime | None
    kind: str  # missing | reordered | edited
    message: str


@dataclass(frozen=True)
class Verdict:
    events: int
    last_seq: int
    anchors: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def parse_anchors(text: str, source: str = "anchor file") -> list[Anchor]:
    """The anchors of a file written by ``nemt audit anchor --file`` (blank lines and ``#`` comments skipped)."""
    anchors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ANCHOR.match(line)
        if match is None:
            raise InvalidInput(f"line {number} of {source} is not 'SEQ HASH [TIME]'", field="anchor",
                               rule="audit anchors")
        taken = None
        if match["taken"]:
            try:
                taken = dt.datetime.fromisoformat(match["taken"])
            except ValueError:
                raise InvalidInput(f"line {number} of {source} has a time that is not ISO 8601", field="anchor",
                                   rule="audit anchors") from None
        anchors.append(Anchor(int(match["seq"]), match["hash"], taken))
    return anchors


def anchor(uow) -> Anchor:
    """The end of the chain as stored now (seq 0 and the genesis hash for an empty trail)."""
    last = uow.audit.last()
    if last is None:
        return Anchor(0, GENESIS, clock.now())
    return Anchor(last.seq, last.hash, clock.now())


def _when(event: AuditEvent) -> str:
    return event.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _moved(uow, event: AuditEvent) -> Break | None:
    """An event whose own hash fails but which names, as its predecessor, an event now elsewhere in the chain: it
    was moved (its number changed), not rewritten."""
    before = uow.audit.by_hash(event.prev_hash) if event.prev_hash != GENESIS else None
    if before is None or before.seq == event.seq - 1:
        return None
    return Break(event.seq, event.at, "reordered", f"event {event.seq} ({_when(event)}) was written right after the "
                                                   f"event now numbered {before.seq}: the events were reordered")


def _link_break(uow, event: AuditEvent, expected_seq: int, prev_hash: str, prev_id: int | None) -> Break | None:
    """What is wrong with ``event`` as the successor of the event before it (None: nothing)."""
    seq, at = event.seq, event.at
    if seq != expected_seq:
        gap = (f"event {expected_seq} is missing: it was" if seq == expected_seq + 1
               else f"events {expected_seq} to {seq - 1} are missing: they were")
        return Break(expected_seq, None, "missing", f"{gap} deleted (the chain goes on at event {seq}, "
                                                    f"{_when(event)})")
    if prev_id is not None and event.id < prev_id:
        return Break(seq, at, "reordered", f"event {seq} ({_when(event)}) was stored before event {seq - 1}: "
                                           "the events were reordered")
    if event_hash(fields_of(event), event.prev_hash) != event.hash:
        moved = _moved(uow, event)
        if moved is not None:
            return moved
        return Break(seq, at, "edited", f"event {seq} ({_when(event)}, {event.username}: {event.action} "
                                        f"{event.entity}) no longer matches its hash: it was changed after it "
                                        "was written")
    if event.prev_hash != prev_hash:
        before = "the start of the chain" if seq == 1 else f"event {seq - 1}"
        return Break(seq, at, "edited", f"event {seq} ({_when(event)}) does not follow {before}: {before} was "
                                        f"changed or replaced after event {seq} was written")
    return None


def _head_break(head: tuple[int, str] | None, last_seq: int, hash_at_head: str | None) -> Break | None:
    """The head the writers had reached when verifying began, against the events stored: a head past the last event
    means the newest events were deleted. (Read before the events, so a writer committing meanwhile is no alarm.)"""
    if head is None:
        return None
    seq, digest = head
    if seq > last_seq:
        which = f"event {seq} is" if seq == last_seq + 1 else f"events {last_seq + 1} to {seq} are"
        return Break(last_seq + 1, None, "missing", f"{which} missing: the chain's head says event {seq} was "
                                                    "written; the newest events were deleted or the table truncated")
    if seq > 0 and hash_at_head != digest:
        return Break(seq, None, "edited", f"event {seq} is not the one the chain's head recorded: it was replaced")
    return None


def _anchor_break(item: Anchor, event: AuditEvent | None) -> Break | None:
    """What is wrong with the stored event an anchor names (``event``: the one of its seq, None when there is none)."""
    taken = f" taken {item.taken.astimezone(dt.UTC).isoformat(timespec='seconds')}" if item.taken else ""
    if event is None:
        return Break(item.seq, None, "missing", f"event {item.seq}, named by the anchor{taken}, is not in the "
                                                "trail: the trail was truncated or its events deleted")
    if event.hash != item.hash:
        return Break(item.seq, event.at, "edited", f"event {item.seq} ({_when(event)}) has not the hash the "
                                                   f"anchor{taken} recorded: the trail was rewritten")
    return None


def verify(uow, anchors: Iterable[Anchor] = ()) -> Verdict:
    """Recompute the whole chain and check the head and every anchor; the first broken link (lowest seq) or None.

    One walk over the events in chain order does it all: the links until the first broken one, and — to the end,
    past a break too — the count of events and the events the anchors name (no query per anchor)."""
    head = uow.audit.chain_head()
    checked = list(anchors)
    named: dict[int, list[Anchor]] = {}
    for item in checked:
        if item.seq != 0:  # an anchor of the empty chain names no event
            named.setdefault(item.seq, []).append(item)
    expected, prev_hash, prev_id, hash_at_head = 1, GENESIS, None, None
    broken: Break | None = None
    anchor_breaks: list[Break] = []
    count = 0
    with closing(uow.audit.chain()) as events:
        for event in events:
            count += 1
            for item in named.pop(event.seq, []):
                anchor_broken = _anchor_break(item, event)
                anchor_breaks += [anchor_broken] if anchor_broken else []
            if broken is not None:
                continue
            broken = _link_break(uow, event, expected, prev_hash, prev_id)
            if broken is not None:
                continue
            expected, prev_hash, prev_id = event.seq + 1, event.hash, event.id
            if head is not None and event.seq == head[0]:
                hash_at_head = event.hash
    last_seq = expected - 1
    anchor_breaks += [b for items in named.values() for b in (_anchor_break(item, None) for item in items) if b]
    link_break = broken if broken is not None else _head_break(head, last_seq, hash_at_head)
    found = ([link_break] if link_break else []) + anchor_breaks
    first = min(found, key=lambda b: b.seq) if found else None
    return Verdict(events=count, last_seq=last_seq, anchors=len(checked), broken=first)
