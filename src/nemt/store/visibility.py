"""What rows an actor may see, for every kind of record, in one place. Each function returns a SQL condition to add to
a query (``None``: no restriction). Repositories apply them; services decide *whether* an actor may act at all
(``nemt.services.platform.permissions``).

- The system (commands, jobs) sees everything.
- Broker and Department users see every record of their program: the broker arranges rides for every member, the
  Department's auditors review them all.
- A transportation provider's users see the trips with a leg assigned to their organization and those members; a
  driver sees only the legs assigned to them (on the leg, or through the vehicle's run that day) and their members.
- A medical facility sees the trips it booked and those members (it looks a member up by exact ID to book).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.store.models import (
    AuditEvent,
    Claim,
    Driver,
    Leg,
    Member,
    Organization,
    TransportProvider,
    Trip,
    Vehicle,
    VehicleRun,
)

Condition = ColumnElement[bool]

_WHOLE_PROGRAM = (OrgKind.BROKER, OrgKind.DEPARTMENT, None)


def _all(*conditions: Condition | None) -> Condition | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else and_(*present)


def _providers_of(actor: Actor) -> Select[Any]:
    return select(TransportProvider.id).where(TransportProvider.organization_id == actor.organization_id)


def _drivers_of(actor: Actor) -> Select[Any]:
    return select(Driver.id).where(Driver.user_id == actor.user_id)


def _program_orgs(program: str) -> Select[Any]:
    return select(Organization.id).where(Organization.program == program)


def _driver_legs(actor: Actor) -> Condition:
    """Legs assigned to the actor's driver record: on the leg itself, or through their vehicle's run that day."""
    through_run = select(VehicleRun.id).where(VehicleRun.vehicle_id == Leg.vehicle_id,
                                              VehicleRun.service_date == Leg.service_date,
                                              VehicleRun.driver_id.in_(_drivers_of(actor))).exists()
    return or_(Leg.driver_id.in_(_drivers_of(actor)), and_(Leg.driver_id.is_(None), through_run))


def _own_legs(actor: Actor) -> Condition:
    """A provider's legs; a driver's, only their own."""
    return _driver_legs(actor) if actor.role == Role.DRIVER else Leg.provider_id.in_(_providers_of(actor))


def legs(actor: Actor) -> Condition | None:
    """The legs ``actor`` may see (the query must join Trip, or use trips() alone)."""
    if actor.is_system:
        return None
    kind = actor.organization_kind
    program = Leg.trip_id.in_(select(Trip.id).where(Trip.program == actor.program)) if actor.program else None
    if kind in _WHOLE_PROGRAM:
        return program
    if kind == OrgKind.PROVIDER:
        return _all(program, _own_legs(actor))
    if kind == OrgKind.FACILITY:
        return _all(program, Leg.trip_id.in_(select(Trip.id).where(Trip.booked_by_org_id == actor.organization_id)))
    return false()


def trips(actor: Actor) -> Condition | None:
    """The trips ``actor`` may see: a provider's, those with a leg it may see."""
    if actor.is_system:
        return None
    kind = actor.organization_kind
    program = Trip.program == actor.program if actor.program else None
    if kind in _WHOLE_PROGRAM:
        return program
    if kind == OrgKind.PROVIDER:
        return _all(program, Trip.id.in_(select(Leg.trip_id).where(_own_legs(actor))))
    if kind == OrgKind.FACILITY:
        return _all(program, Trip.booked_by_org_id == actor.organization_id)
    return false()


def members(actor: Actor) -> Condition | None:
    """The members ``actor`` may see: a provider's or a facility's, those of the trips it may see."""
    if actor.is_system:
        return None
    program = Member.program == actor.program if actor.program else None
    if actor.organization_kind in _WHOLE_PROGRAM:
        return program
    if actor.organization_kind == OrgKind.PROVIDER:
        # The members of the legs the actor may see: the organization's for its administrators, a driver's own.
        linked = select(Trip.member_id).join(Leg, Leg.trip_id == Trip.id).where(_own_legs(actor))
        return _all(program, Member.id.in_(linked))
    if actor.organization_kind == OrgKind.FACILITY:
        linked = select(Trip.member_id).where(Trip.booked_by_org_id == actor.organization_id)
        return _all(program, Member.id.in_(linked))
    return false()


def claims(actor: Actor) -> Condition | None:
    """A provider's claims to its own organization; every other user, the claims of their program."""
    if actor.is_system:
        return None
    if actor.role == Role.PROVIDER_ADMIN or actor.organization_kind == OrgKind.PROVIDER:
        return Claim.provider_id.in_(_providers_of(actor))
    if actor.program is not None:
        return Claim.provider_id.in_(select(TransportProvider.id).where(
            TransportProvider.organization_id.in_(_program_orgs(actor.program))))
    return None


def vehicles(actor: Actor) -> Condition | None:
    """The vehicles whose manifests an actor may read: a provider's own (its drivers too — which run is theirs is
    ``runs``), the program's vehicles for the broker and the Department."""
    if actor.is_system:
        return None
    if actor.organization_kind == OrgKind.PROVIDER:
        return Vehicle.provider_id.in_(_providers_of(actor))
    if actor.organization_kind in _WHOLE_PROGRAM:
        return _program_vehicles(actor.program) if actor.program else None
    return false()


def _program_vehicles(program: str) -> Condition:
    return Vehicle.provider_id.in_(select(TransportProvider.id).where(
        TransportProvider.organization_id.in_(_program_orgs(program))))


def runs(actor: Actor) -> Condition | None:
    """Vehicle runs: a provider's vehicles, a driver's own runs, a program's vehicles for the broker and Department."""
    if actor.is_system:
        return None
    if actor.organization_kind == OrgKind.PROVIDER:
        if actor.role == Role.DRIVER:
            return VehicleRun.driver_id.in_(_drivers_of(actor))
        return VehicleRun.vehicle_id.in_(select(Vehicle.id).where(Vehicle.provider_id.in_(_providers_of(actor))))
    if actor.organization_kind in _WHOLE_PROGRAM:
        if actor.program is None:
            return None
        return VehicleRun.vehicle_id.in_(select(Vehicle.id).where(_program_vehicles(actor.program)))
    return false()


def transport_providers(actor: Actor) -> Condition | None:
    """The transportation providers of the actor's program; a provider's users see only their own."""
    if actor.is_system:
        return None
    program = TransportProvider.organization_id.in_(_program_orgs(actor.program)) if actor.program else None
    if actor.organization_kind == OrgKind.PROVIDER:
        return _all(program, TransportProvider.organization_id == actor.organization_id)
    return program


def audit_events(actor: Actor) -> Condition | None:
    """The audit trail of the actor's program (the events of its organizations' users)."""
    if actor.is_system or actor.program is None:
        return None
    return AuditEvent.organization_id.in_(_program_orgs(actor.program))


def organizations(actor: Actor) -> Condition | None:
    """The organizations ``actor`` administers (user and organization administration): the system every one, a
    program's administrator those of their program, a provider administrator their own; nobody else any."""
    if actor.is_system:
        return None
    if actor.role == Role.ADMIN:
        return Organization.program == actor.program if actor.program else None
    if actor.role == Role.PROVIDER_ADMIN and actor.organization_id is not None:
        return Organization.id == actor.organization_id
    return false()


def complaints(actor: Actor) -> Condition | None:
    """Complaints (issue 16, point 5): the broker and the Department see their program's; a transportation provider's
    administrators those about its own trips; a facility those it filed; nobody else any."""
    from nemt.store.complaint_models import Complaint

    if actor.is_system:
        return None
    program = Complaint.program == actor.program if actor.program else None
    if actor.organization_kind in _WHOLE_PROGRAM:
        return program
    if actor.organization_kind == OrgKind.PROVIDER and actor.role == Role.PROVIDER_ADMIN:
        return _all(program, Complaint.provider_id.in_(_providers_of(actor)))
    if actor.organization_kind == OrgKind.FACILITY:
        return _all(program, Complaint.filed_by_org_id == actor.organization_id)
    return false()
