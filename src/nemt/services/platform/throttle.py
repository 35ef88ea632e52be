"""A small generic throttle: at most ``most`` events of a kind in a sliding ``window``, else 429 naming the rule.

The events are counted by the caller from what is already recorded (failed log-ins in ``login_attempts``, member
records read in the audit trail), so the throttle keeps no state of its own and holds across worker processes.
Used by the log-in throttle per client address (``auth``) and by the facility scheduler's member look-ups
(``nemt.services.members.lookup``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from nemt import clock
from nemt.domain.actors import Actor, Role
from nemt.services.platform.errors import TooManyRequests
from nemt.settings import get_settings


@dataclass(frozen=True)
class Limit:
    rule: str  # named in the 429
    most: int  # events allowed in the window
    window: dt.timedelta
    message: str  # a plain sentence for the user

    def since(self) -> dt.datetime:
        """The start of the window ending now."""
        return clock.now() - self.window

    def check(self, used: int, oldest: dt.datetime | None, *, field: str | None = None) -> None:
        """Refuse (TooManyRequests) when ``used`` events already fill the window; ``oldest`` is the earliest of them,
        whose leaving the window frees a place (the Retry-After)."""
        if used < self.most:
            return
        start = oldest or clock.now()
        wait = (start + self.window - clock.now()).total_seconds()
        raise TooManyRequests(self.message, retry_after=math.ceil(wait), field=field, rule=self.rule)


def member_lookups(uow, actor: Actor, member_ids: list[int]) -> None:
    """A facility scheduler reads at most ``NEMT_MEMBER_LOOKUPS_PER_HOUR`` distinct members an hour (a facility
    finds members by exact Medicaid ID, so without a limit it could read a program's members by guessing IDs).
    Members already read in the hour do not count again. Other roles are not limited here."""
    if actor.role != Role.FACILITY_SCHEDULER or actor.user_id is None or not member_ids:
        return
    limit = Limit("member look-ups per hour", get_settings().member_lookups_per_hour, dt.timedelta(hours=1),
                  "too many different members looked up this hour; try again later")
    seen, oldest = uow.audit.members_read_by(actor.user_id, limit.since())
    new = set(member_ids) - seen
    if new:
        limit.check(len(seen) + len(new) - 1, oldest, field="medicaid_id")
