"""Complaints and grievances: add and find complaints (only those the actor may see: ``visibility.complaints``), their
notes and notices, and the counts behind the complaints report (complaints by provider and category, completed
one-way trips by provider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import selectinload

from nemt.domain.actors import Actor
from nemt.domain.statuses import LegStatus
from nemt.store import visibility
from nemt.store.complaint_models import Complaint, ComplaintNote, ComplaintNotice
from nemt.store.models import Leg, Organization, TransportProvider, Trip
from nemt.store.repositories.base import Repository

MAX_LISTED = 500


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    condition = visibility.complaints(actor)
    return query if condition is None else query.where(condition)


def _complaints() -> Select[Any]:
    return select(Complaint).options(selectinload(Complaint.notes), selectinload(Complaint.notices))


class ComplaintRepository(Repository):
    """Complaints, their append-only notes and the members' resolution notices."""

    def add(self, complaint: Complaint) -> Complaint:
        self.session.add(complaint)
        self.session.flush()
        return complaint

    def add_note(self, note: ComplaintNote) -> ComplaintNote:
        self.session.add(note)
        self.session.flush()
        return note

    def add_notice(self, notice: ComplaintNotice) -> ComplaintNotice:
        self.session.add(notice)
        self.session.flush()
        return notice

    def visible(self, actor: Actor, key: str) -> Complaint | None:
        """The complaint with ``key`` if ``actor`` may see it."""
        if not key:
            return None
        return self.session.scalar(_visible(_complaints().where(Complaint.key == key), actor))

    def refresh(self, complaint: Complaint) -> None:
        """Reload a complaint's notes and notices after adding one."""
        self.session.refresh(complaint, attribute_names=["notes", "notices"])

    def listed(self, actor: Actor, *, program: str | None = None, status: str | None = None,
               member_id: int | None = None, limit: int = MAX_LISTED) -> list[Complaint]:
        """The complaints the actor may see, newest first (at most ``limit``)."""
        query = _visible(_complaints(), actor)
        if program:
            query = query.where(Complaint.program == program)
        if status:
            query = query.where(Complaint.status == status)
        if member_id is not None:
            query = query.where(Complaint.member_id == member_id)
        return list(self.session.scalars(query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
                                          .limit(limit)))

    def provider_names(self, provider_ids: set[int]) -> dict[int, str]:
        """The organization name of each transportation provider."""
        if not provider_ids:
            return {}
        rows = self.session.execute(select(TransportProvider.id, Organization.name).join(
            Organization, Organization.id == TransportProvider.organization_id).where(
            TransportProvider.id.in_(provider_ids)))
        return {provider_id: name for provider_id, name in rows}

    def provider_of_organization(self, organization_id: int | None) -> int | None:
        """The transportation provider enrolled for an organization, if any."""
        if organization_id is None:
            return None
        return self.session.scalar(select(TransportProvider.id).where(
            TransportProvider.organization_id == organization_id))

    def trip_by_confirmation(self, actor: Actor, confirmation: str) -> Trip | None:
        """The trip with this confirmation number, if the actor may see it."""
        query = select(Trip).options(selectinload(Trip.legs)).where(Trip.confirmation == confirmation)
        condition = visibility.trips(actor)
        return self.session.scalar(query if condition is None else query.where(condition))

    def leg_by_key(self, actor: Actor, key: str) -> Leg | None:
        """The leg with this key, if the actor may see it."""
        query = select(Leg).join(Trip, Trip.id == Leg.trip_id).where(Leg.key == key)
        condition = visibility.legs(actor)
        return self.session.scalar(query if condition is None else query.where(condition))

    # -- the report -------------------------------------------------------------------------------------------------

    def counts(self, actor: Actor, program: str, start: dt.date, end: dt.date) -> list[tuple[int | None, str, int]]:
        """(provider id or None, category, complaints) received in ``start``..``end`` (the program's dates)."""
        condition = visibility.complaints(actor)
        query = (select(Complaint.provider_id, Complaint.category, func.count(Complaint.id))
                 .where(Complaint.program == program, Complaint.received_on >= start, Complaint.received_on <= end,
                        true() if condition is None else condition)
                 .group_by(Complaint.provider_id, Complaint.category))
        return [(provider_id, category, n) for provider_id, category, n in self.session.execute(query)]

    def completed_trips(self, actor: Actor, program: str, start: dt.date, end: dt.date) -> dict[int, int]:
        """Completed one-way trips (legs) by transportation provider with a date of service in ``start``..``end``."""
        condition = visibility.legs(actor)
        query = (select(Leg.provider_id, func.count(Leg.id)).join(Trip, Trip.id == Leg.trip_id)
                 .where(Trip.program == program, Leg.status == LegStatus.COMPLETED, Leg.provider_id.is_not(None),
                        Leg.service_date >= start, Leg.service_date <= end, true() if condition is None else condition)
                 .group_by(Leg.provider_id))
        return {provider_id: n for provider_id, n in self.session.execute(query) if provider_id is not None}
