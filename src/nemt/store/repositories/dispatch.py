"""A day's open legs, the fleet that can carry them, and vehicle runs.

Each vehicle's day is one ``VehicleRun`` row whose version column is bumped on every write (SQLAlchemy's
``version_id_col``): a second writer working from an older version fails at commit with a stale-data error, which the
dispatch service turns into a conflict. ``run_for`` gets or creates that row; a new row racing another new row for the
same vehicle and day fails on the unique key instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES
from nemt.store import visibility
from nemt.store.models import Driver, Leg, Organization, TransportProvider, Trip, Vehicle, VehicleRun
from nemt.store.repositories.base import Repository, chunked


def _where(query: Select[Any], condition: ColumnElement[bool] | None) -> Select[Any]:
    return query if condition is None else query.where(condition)


class DispatchRepository(Repository):
    """A day's open legs, the fleet that can carry them, and vehicle runs."""

    # --- legs ---------------------------------------------------------------------------------------------------

    def open_legs(self, program: str, day: dt.date, modes: Collection[str]) -> list[Leg]:
        """The legs the optimizer plans on ``day``: open legs of the program's approved, active trips by ``modes``
        (with their trips and members, which the day's model reads: one query each, not one per leg)."""
        return list(self.session.scalars(
            select(Leg).join(Trip).where(Trip.program == program, Leg.service_date == day,
                                         Leg.status.in_(OPEN_LEG_STATUSES), Trip.outcome == "approved",
                                         Trip.status == "active", Trip.mode.in_(modes))
            .options(selectinload(Leg.trip).selectinload(Trip.member)).order_by(Leg.id)))

    def leg_places(self, keys: Iterable[str]) -> dict[str, Any]:
        """Leg key -> (id, origin_zip, destination_zip) of the legs with these keys: where a vehicle on them was (the
        columns only, no member data)."""
        out: dict[str, Any] = {}
        for chunk in chunked(sorted(set(keys))):
            out.update((row.key, row) for row in self.session.execute(
                select(Leg.key, Leg.id, Leg.origin_zip, Leg.destination_zip).where(Leg.key.in_(chunk))))
        return out

    def legs_on_vehicle(self, actor: Actor, vehicle_id: int, day: dt.date) -> list[Leg]:
        """Every leg a vehicle carries on ``day`` that ``actor`` may see (``visibility.legs``)."""
        query = select(Leg).where(Leg.vehicle_id == vehicle_id, Leg.service_date == day)
        return list(self.session.scalars(_where(query, visibility.legs(actor))))

    def leg(self, actor: Actor, key: str) -> Leg | None:
        """The leg with ``key`` if ``actor`` may see it (``visibility.legs``)."""
        if not key:
            return None
        return self.session.scalar(_where(select(Leg).where(Leg.key == key), visibility.legs(actor)))

    # --- the fleet ----------------------------------------------------------------------------------------------

    def fleet(self, program: str, *, enrolled_only: bool = True) -> list[Vehicle]:
        """The program's active vehicles (of enrolled providers only, unless ``enrolled_only`` is false)."""
        query = (select(Vehicle).options(selectinload(Vehicle.credentials), selectinload(Vehicle.provider))
                 .join(TransportProvider).join(Organization)
                 .where(Organization.program == program, Vehicle.active.is_(True)))
        if enrolled_only:
            query = query.where(TransportProvider.enrolled.is_(True))
        return list(self.session.scalars(query.order_by(Vehicle.id)))

    def vehicle(self, vehicle_id: int) -> Vehicle | None:
        return self.session.get(Vehicle, vehicle_id)

    def vehicle_by_key(self, key: str) -> Vehicle | None:
        return self.session.scalar(select(Vehicle).where(Vehicle.key == key)) if key else None

    def vehicle_visible(self, actor: Actor, vehicle_id: int) -> bool:
        condition = visibility.vehicles(actor)
        query = select(Vehicle.id).where(Vehicle.id == vehicle_id)
        return self.session.scalar(query if condition is None else query.where(condition)) is not None

    def active_drivers(self) -> list[Driver]:
        """Every active driver, in the order they were enrolled (with their credentials)."""
        return list(self.session.scalars(select(Driver).options(selectinload(Driver.credentials))
                                         .where(Driver.active.is_(True)).order_by(Driver.id)))

    def driver(self, driver_id: int) -> Driver | None:
        return self.session.get(Driver, driver_id)

    def driver_by_key(self, key: str) -> Driver | None:
        return self.session.scalar(select(Driver).where(Driver.key == key)) if key else None

    def drivers(self, ids: Iterable[int]) -> dict[int, Driver]:
        wanted = set(ids)
        if not wanted:
            return {}
        return {d.id: d for d in self.session.scalars(select(Driver).where(Driver.id.in_(wanted)))}

    # --- vehicle runs -------------------------------------------------------------------------------------------

    def runs_of_day(self, day: dt.date, program: str | None = None) -> dict[int, VehicleRun]:
        """Every vehicle's run on ``day`` (of ``program``'s vehicles only, if given), by vehicle id."""
        query = select(VehicleRun).where(VehicleRun.service_date == day)
        if program is not None:
            query = (query.join(Vehicle, Vehicle.id == VehicleRun.vehicle_id).join(TransportProvider)
                     .join(Organization).where(Organization.program == program))
        return {r.vehicle_id: r for r in self.session.scalars(query)}

    def run_of(self, vehicle_id: int, day: dt.date) -> VehicleRun | None:
        return self.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == vehicle_id,
                                                            VehicleRun.service_date == day))

    def run_for(self, vehicle_id: int, day: dt.date) -> VehicleRun:
        """The vehicle's run on ``day``, created (empty) if it has none yet."""
        run = self.run_of(vehicle_id, day)
        if run is None:
            run = VehicleRun(vehicle_id=vehicle_id, service_date=day, plan={"stops": []})
            self.session.add(run)
        return run

    def run_visible(self, actor: Actor, run: VehicleRun) -> bool:
        """Whether ``actor`` may read ``run`` (``visibility.runs``: a driver, only their own runs)."""
        condition = visibility.runs(actor)
        if condition is None:
            return True
        return self.session.scalar(select(VehicleRun.id).where(VehicleRun.id == run.id, condition)) is not None
