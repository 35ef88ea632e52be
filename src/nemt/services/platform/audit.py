"""The audit trail: every read or change of member data writes an append-only record; auditors and administrators
read the latest records of their program (``trail``), which is itself recorded.

Each record says through what it came — the *channel*: ``api``, ``page``, ``command`` or ``job``, and the endpoint
(``GET /api/v1/members/{key}``, ``nemt audit disclosures``) — so that the accounting of disclosures can say, for a
member, who read or changed their record, when and how (45 CFR 164.528, 164.312(b)). The channel is a context
variable set once per request by ``nemt.http.channel`` and once per command by the CLI; anything else (a job, a
test calling a service) is recorded as ``job``, or what :func:`channel` says.

A list that shows many members writes one record per member (:func:`record_members`), so each member's accounting
is complete. Details name fields and counts, never the member's data itself. The records are chained by hash at
commit (``nemt.store.audit_chain``); ``nemt.services.platform.audit_chain`` verifies the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from nemt.domain.actors import Actor
from nemt.services.platform.inputs import clamp_rows
from nemt.services.platform.permissions import Action, require
from nemt.store.models import AuditEvent

DEFAULT_TRAIL_ROWS, MAX_TRAIL_ROWS = 200, 1000
CHANNELS = ("api", "page", "command", "job")

# Where the current request or command came from: a callable, because the endpoint of a request is known only once
# the router has matched it (after the middleware that sets this has run).
ChannelSource = Callable[[], tuple[str, str]]
_channel: ContextVar[ChannelSource | None] = ContextVar("nemt_audit_channel", default=None)


def current_channel() -> tuple[str, str]:
    """(channel, endpoint) of the code running now; ``("job", "")`` when nothing said otherwise."""
    source = _channel.get()
    if source is None:
        return "job", ""
    kind, endpoint = source()
    return kind, endpoint[:120]


@contextmanager
def channel(source: ChannelSource | tuple[str, str]) -> Iterator[None]:
    """Record everything audited inside the block as coming through ``source``: a (channel, endpoint) pair, or a
    callable giving it when a record is written."""
    token = _channel.set(source if callable(source) else (lambda: source))
    try:
        yield
    finally:
        _channel.reset(token)


def set_channel(source: ChannelSource) -> Callable[[], None]:
    """Set the channel until the returned function is called (for code that cannot wrap a block: a CLI callback)."""
    token = _channel.set(source)
    return lambda: _channel.reset(token)


def _event(actor: Actor, action: str, entity: str, member_id: int | None, detail: dict,
           via: tuple[str, str]) -> AuditEvent:
    return AuditEvent(user_id=actor.user_id, username=actor.username, role=actor.role,
                      organization_id=actor.organization_id, action=action, entity=entity, member_id=member_id,
                      detail=detail, channel=via[0], endpoint=via[1])


def record(uow, actor: Actor, action: str, entity: str, member_id: int | None = None, **detail) -> None:
    uow.audit.add(_event(actor, action, entity, member_id, detail, current_channel()))


def record_members(uow, actor: Actor, action: str, entity: str, member_ids: Iterable[int | None], **detail) -> int:
    """One record per distinct member of a list (in first-seen order; ``None`` left out), inserted together and
    chained at the commit. Returns how many were written."""
    via = current_channel()
    events = [_event(actor, action, entity, member_id, dict(detail), via)
              for member_id in dict.fromkeys(m for m in member_ids if m is not None)]
    uow.audit.add_all(events)
    return len(events)


def trail_rows(limit: int | None) -> int:
    """The limit rule of the audit trail (:func:`~nemt.services.platform.inputs.clamp_rows`): at most
    ``MAX_TRAIL_ROWS``, ``DEFAULT_TRAIL_ROWS`` when not given."""
    return clamp_rows(limit, DEFAULT_TRAIL_ROWS, MAX_TRAIL_ROWS)


def trail(uow, actor: Actor, limit: int | None = None) -> list[AuditEvent]:
    """The latest audit records the actor may see (their program's), newest first; the read is itself audited."""
    require(actor, Action.AUDIT_READ)
    events = uow.audit.recent(trail_rows(limit), actor)
    record(uow, actor, "read", "audit-trail", None, rows=len(events))
    uow.commit()
    return events
