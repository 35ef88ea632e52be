"""Who may record and read a leg's log (Action.TRIP_LOG_RECORD / TRIP_LOG_READ, then the leg's visibility).

A driver records (and reads) only the legs assigned to their driver record (``Driver.user_id``) — directly
(``Leg.driver_id``) or through the vehicle run of the leg's vehicle that day; provider admins read their
organization's legs; dispatchers, auditors and administrators read their program's."""

from __future__ import annotations

from typing import Any

from nemt.domain.actors import Actor, Role
from nemt.services.platform import permissions
from nemt.services.platform.errors import Forbidden, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg


def leg_for(uow: Any, actor: Actor, leg_key: str, action: Action) -> Leg:
    """The leg ``actor`` may take ``action`` on; Forbidden (a driver's or provider's leg that is not theirs) or
    NotFound (no such leg, or another program's)."""
    permissions.require(actor, action)
    leg = uow.trip_logs.leg(leg_key)
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="legs are addressed by their key")
    if uow.trip_logs.is_visible(actor, leg):
        return leg
    if actor.role == Role.DRIVER:
        raise Forbidden("this leg is not assigned to you", field="leg",
                        rule="a driver records and reads only the legs assigned to their driver record")
    if actor.role == Role.PROVIDER_ADMIN:
        raise Forbidden("this leg is not your organization's", field="leg",
                        rule="provider admins see their organization's trip logs")
    raise NotFound("no such leg", field="leg", rule="program-based access")
