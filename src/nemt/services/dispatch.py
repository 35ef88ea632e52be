"""Dispatch: turn a day's approved legs into vehicle runs, assign and reassign, and print manifests.

The optimizer is ``nemt.scheduling.solve`` over a dial-a-ride instance built here from the store: requests from the
legs (time windows from the appointment, loads by space type, the mode a vehicle must serve), vehicles from the
provider network (capacities, shift, and only the modes their credentials allow on that day), travel times from
``nemt.geo``. Every plan is verified by the independent checker before it is written. Each vehicle's day is a
``VehicleRun`` row whose version is bumped on every write, so two dispatchers acting at once cannot double-book a
vehicle: the second write fails with a conflict and is re-planned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from nemt.domain.actors import Actor, Role
from nemt.policy import load_policy
from nemt.services import network
from nemt.services.platform import access, audit
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.store.models import Driver, Leg, Organization, TransportProvider, Trip, Vehicle, VehicleRun

if TYPE_CHECKING:  # the scheduling engine (numpy, the solver) is imported when a day is built
    from nemt.scheduling import Instance

DISPATCH_ROLES = {Role.DISPATCHER, Role.ADMIN}
MANIFEST_ROLES = {Role.DISPATCHER, Role.ADMIN, Role.PROVIDER_ADMIN, Role.DRIVER}
# Modes carried by a scheduled vehicle; the others are tickets or mileage reimbursement.
VEHICLE_MODES = ("mobility-ambulatory", "taxi", "wheelchair-van", "stretcher-van", "ground-ambulance")
OPEN_STATUSES = ("scheduled", "assigned")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _known_zip(zip_code: str | None) -> bool:
    from nemt import geo

    try:
        geo.lookup_zip(zip_code or "", "zip")
        return True
    except geo.GeoError:
        return False


@dataclass
class DayModel:
    """A day's scheduling instance and how its indices map back to the store."""

    instance: Instance
    legs: list[Leg]
    vehicles: list[Vehicle]
    drivers: list[Driver | None]
    midnight: dt.datetime
    excluded: dict[str, str] = field(default_factory=dict)  # leg key -> why it could not be scheduled

    def at(self, minutes: float) -> dt.datetime:
        return self.midnight + dt.timedelta(minutes=float(minutes))


def _vehicle_drivers(uow, vehicles: list[Vehicle], day: dt.date) -> list[Driver | None]:
    """The driver of each vehicle that day: the run's driver if one was set, else the providers' active drivers
    paired with their vehicles in order."""
    runs = {r.vehicle_id: r for r in uow.session.scalars(
        select(VehicleRun).where(VehicleRun.service_date == day))}
    by_provider: dict[int, list[Driver]] = {}
    for d in uow.session.scalars(select(Driver).where(Driver.active.is_(True)).order_by(Driver.id)):
        by_provider.setdefault(d.provider_id, []).append(d)
    taken: set[int] = {r.driver_id for r in runs.values() if r.driver_id}
    out: list[Driver | None] = []
    for v in vehicles:
        run = runs.get(v.id)
        if run and run.driver_id:
            out.append(uow.session.get(Driver, run.driver_id))
            continue
        free = [d for d in by_provider.get(v.provider_id, []) if d.id not in taken]
        out.append(free[0] if free else None)
        if free:
            taken.add(free[0].id)
    return out


def build_day(uow, program: str, day: dt.date, *, engine=None, legs: list[Leg] | None = None,
              fleet: list[Vehicle] | None = None, drivers: list[Driver | None] | None = None) -> DayModel:
    """The dial-a-ride instance of ``day``: open, approved vehicle legs of the program and the credentialed fleet
    (or the given ``legs`` on the given ``fleet``, for re-planning one vehicle's run)."""
    import numpy as np

    from nemt import geo
    from nemt.scheduling import Instance, Request, TimeWindow
    from nemt.scheduling import Vehicle as SVehicle

    policy = load_policy(program)
    ops = policy.section("operations")
    zone = policy.time_zone
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    if legs is None:
        legs = list(uow.session.scalars(
            select(Leg).join(Trip).where(Trip.program == program, Leg.service_date == day,
                                         Leg.status.in_(OPEN_STATUSES), Trip.outcome == "approved",
                                         Trip.status == "active", Trip.mode.in_(VEHICLE_MODES))
            .order_by(Leg.id)))
    if fleet is None:
        fleet = list(uow.session.scalars(
            select(Vehicle).join(TransportProvider).join(Organization)
            .where(Organization.program == program, Vehicle.active.is_(True), TransportProvider.enrolled.is_(True))
            .order_by(Vehicle.id)))
    if drivers is None:
        drivers = _vehicle_drivers(uow, fleet, day)

    zips: list[str] = []
    index: dict[str, int] = {}

    def loc(zip_code: str) -> int:
        z = zip_code[:5]
        if z not in index:
            index[z] = len(zips)
            zips.append(z)
        return index[z]

    excluded: dict[str, str] = {}
    usable_legs = []
    for leg in legs:
        if _known_zip(leg.origin_zip) and _known_zip(leg.destination_zip):
            usable_legs.append(leg)
        else:
            excluded[leg.key] = "unknown origin or destination ZIP"
    # A vehicle's run starts and ends at its base; one without a known base ZIP cannot be routed.
    based = [(v, d) for v, d in zip(fleet, drivers, strict=True) if _known_zip(v.base_zip)]
    fleet, drivers = [v for v, _ in based], [d for _, d in based]
    bases = [loc(v.base_zip) for v in fleet]
    for leg in usable_legs:
        loc(leg.origin_zip)
        loc(leg.destination_zip)
    points = [geo.lookup_zip(z, "zip").point for z in zips]
    engine = engine or geo.default_engine()
    _miles, minutes = engine.matrix(points)
    travel = np.asarray(minutes, dtype=float)

    shift = TimeWindow(_minutes(ops["shift_start"]), _minutes(ops["shift_end"]))
    service = float(ops["service_minutes"])
    requests = []
    for leg in usable_legs:
        trip = leg.trip
        o, d = loc(leg.origin_zip), loc(leg.destination_zip)
        direct = float(travel[o, d])
        ride = max(float(ops["max_ride_minutes"]), float(ops["max_ride_factor"]) * direct)
        if leg.dropoff_latest is not None:  # to the appointment: arrive in the window before it
            latest = (leg.dropoff_latest - midnight).total_seconds() / 60
            drop_w = TimeWindow(max(shift.earliest, latest - ops["early_arrival_minutes"]), latest)
            pick_w = TimeWindow(shift.earliest, max(shift.earliest, latest - direct - service))
        else:  # a return: picked up within the window after the requested time
            earliest = ((leg.pickup_earliest or midnight) - midnight).total_seconds() / 60
            pick_w = TimeWindow(earliest, earliest + ops["return_pickup_window_minutes"])
            drop_w = TimeWindow(earliest, shift.latest)
        space = trip.space or "seat"
        riders = 1 + (trip.escorts or 0) + (trip.passengers or 0)
        load = (riders if space == "seat" else riders - 1,
                1 if space == "wheelchair" else 0, 1 if space == "stretcher" else 0)
        requests.append(Request(
            id=leg.key, pickup_location=o, dropoff_location=d, pickup_window=pick_w, dropoff_window=drop_w,
            pickup_service=service, dropoff_service=service, load=load, max_ride_time=ride,
            required_credentials=frozenset({f"mode:{trip.mode}", f"county:{trip.member.county}"})))
    vehicles = []
    for v, driver, base in zip(fleet, drivers, bases, strict=True):
        creds: set[str] = set()
        if driver is not None:
            for mode in VEHICLE_MODES:
                if network.assignment_check(driver, v, mode, day, program).ok:
                    creds.add(f"mode:{mode}")
            creds |= {f"county:{c}" for c in (v.provider.service_counties or [])}
        vehicles.append(SVehicle(id=v.key, start_location=base, end_location=base, shift=shift,
                                 capacity=(v.seats, v.wheelchair_positions, v.stretcher_positions),
                                 max_route_duration=shift.latest - shift.earliest, credentials=frozenset(creds)))
    instance = Instance(name=f"{program}-{day.isoformat()}", requests=requests, vehicles=vehicles,
                        travel_time=travel)
    return DayModel(instance, usable_legs, fleet, drivers, midnight, excluded)


@dataclass(frozen=True)
class ScheduleResult:
    assigned: int
    unassigned: list[str]  # leg keys no vehicle could take
    vehicles_used: int
    cost_minutes: float
    verified: bool


def schedule_day(uow, actor: Actor, program: str, day: dt.date, *, time_limit: float = 5.0,
                 seed: int = 1) -> ScheduleResult:
    """Optimize the day's runs and write them: each leg's vehicle, driver, provider and planned times."""
    from nemt.scheduling import check_solution, solve

    access.require_role(actor, DISPATCH_ROLES)
    if actor.program and actor.program != program:
        raise NotFound("no such program for this user", field="program", rule="organization-based access")
    model = build_day(uow, program, day)
    if not model.legs:
        return ScheduleResult(0, list(model.excluded), 0, 0.0, True)
    solution = solve(model.instance, time_limit=time_limit, seed=seed)
    report = check_solution(model.instance, solution)
    served = {s.request for r in solution.routes for s in r.stops if s.request >= 0}
    if not report.feasible and not (set(solution.unserved) and _only_unserved(report)):
        raise Conflict(f"the plan failed the independent check: {report.violations[:3]}", field="schedule",
                       rule="feasibility checker")
    _write_plan(uow, model, solution)
    unassigned = [model.legs[i].key for i in range(len(model.legs)) if i not in served] + list(model.excluded)
    audit.record(uow, actor, "schedule", "day", None, program=program, day=day.isoformat(),
                 legs=len(model.legs), unassigned=len(unassigned))
    try:
        uow.commit()
    except (StaleDataError, IntegrityError):
        uow.rollback()
        raise Conflict("another dispatcher changed these runs; reload and schedule again", field="schedule",
                       rule="one writer per vehicle day") from None
    # Verified: the checker found nothing wrong with the runs written (requests left unserved are listed apart).
    return ScheduleResult(len(served), unassigned, solution.num_routes(), float(solution.cost),
                          report.feasible or _only_unserved(report))


def _only_unserved(report) -> bool:
    """The checker flags unserved requests too; a plan whose only fault is leaving some unserved is still usable."""
    return all("unserved" in v or "not served" in v for v in report.violations)


def _run_for(uow, vehicle: Vehicle, day: dt.date) -> VehicleRun:
    run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == vehicle.id,
                                                      VehicleRun.service_date == day))
    if run is None:
        run = VehicleRun(vehicle_id=vehicle.id, service_date=day, plan={"stops": []})
        uow.session.add(run)
    return run


def _write_plan(uow, model: DayModel, solution) -> None:
    from nemt.scheduling import StopKind

    for leg in model.legs:  # legs no route takes become unassigned again
        leg.vehicle_id = leg.driver_id = leg.provider_id = None
        leg.planned_pickup = leg.planned_dropoff = leg.run_position = None
        leg.status = "scheduled"
    touched: set[int] = set()
    for route in solution.routes:
        vehicle, driver = model.vehicles[route.vehicle], model.drivers[route.vehicle]
        stops = []
        for position, stop in enumerate(route.stops):
            if stop.request < 0:
                continue
            leg = model.legs[stop.request]
            when = model.at(stop.service_start)
            if stop.kind is StopKind.PICKUP:
                leg.vehicle_id, leg.provider_id = vehicle.id, vehicle.provider_id
                leg.driver_id = driver.id if driver else None
                leg.planned_pickup, leg.run_position, leg.status = when, position, "assigned"
            else:
                leg.planned_dropoff = when
            stops.append({"leg": leg.key, "kind": stop.kind.value, "at": when.isoformat()})
        run = _run_for(uow, vehicle, model.midnight.date())
        run.driver_id = driver.id if driver else None
        run.plan = {"stops": stops}
        touched.add(vehicle.id)
    for vehicle in model.vehicles:
        if vehicle.id not in touched:
            run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == vehicle.id,
                                                              VehicleRun.service_date == model.midnight.date()))
            if run is not None and run.plan.get("stops"):
                run.plan = {"stops": []}


def assign_leg(uow, actor: Actor, leg_key: str, vehicle_key: str, *, driver_key: str | None = None,
               expected_version: int | None = None) -> Leg:
    """Put one leg on a vehicle by hand (reassignment). The driver's and vehicle's credentials must allow the
    trip's mode on its date; the vehicle's run for the day is version-checked against concurrent writers."""
    access.require_role(actor, DISPATCH_ROLES)
    leg = uow.session.scalar(select(Leg).where(Leg.key == leg_key))
    if leg is None or (actor.program and leg.trip.program != actor.program):
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    vehicle = uow.session.scalar(select(Vehicle).where(Vehicle.key == vehicle_key))
    if vehicle is None:
        raise NotFound("no such vehicle", field="vehicle", rule="vehicle look-up")
    if leg.status not in OPEN_STATUSES:
        raise InvalidInput(f"a {leg.status} leg cannot be reassigned", field="leg", rule="open legs only")
    day = leg.service_date
    if driver_key:
        driver = uow.session.scalar(select(Driver).where(Driver.key == driver_key))
        if driver is None:
            raise NotFound("no such driver", field="driver", rule="driver look-up")
    else:
        driver = _vehicle_drivers(uow, [vehicle], day)[0]
        if driver is None:
            raise InvalidInput("the vehicle has no driver that day", field="driver", rule="a run needs a driver")
    check = network.assignment_check(driver, vehicle, leg.trip.mode, day, leg.trip.program)
    if not check.ok:
        first = check.problems[0]
        raise InvalidInput(f"cannot assign: {'; '.join(str(p) for p in check.problems)}",
                           field=f"{first.subject}.{first.credential}", rule=first.citation)
    run = _run_for(uow, vehicle, day)
    if expected_version is not None and run.version != expected_version:
        raise Conflict("the vehicle's run changed since you loaded it", field="vehicle",
                       rule="one writer per vehicle day")
    _replan_vehicle(uow, leg, vehicle, driver)
    audit.record(uow, actor, "assign", "leg", leg.trip.member_id, leg=leg.key, vehicle=vehicle.key)
    try:
        uow.commit()
    except (StaleDataError, IntegrityError):
        uow.rollback()
        raise Conflict("another dispatcher changed this vehicle's run; reload and try again", field="vehicle",
                       rule="one writer per vehicle day") from None
    return leg


def _replan_vehicle(uow, leg: Leg, vehicle: Vehicle, driver: Driver) -> None:
    """Re-plan the vehicle's run with ``leg`` added: the solver on that one vehicle, verified by the checker. A leg
    that does not fit (time, capacity, service area) is refused: a vehicle is never double-booked."""
    from nemt.scheduling import check_solution, solve

    day, program = leg.service_date, leg.trip.program
    on_vehicle = list(uow.session.scalars(select(Leg).where(Leg.vehicle_id == vehicle.id, Leg.service_date == day,
                                                            Leg.status.in_(OPEN_STATUSES), Leg.id != leg.id)))
    model = build_day(uow, program, day, legs=on_vehicle + [leg], fleet=[vehicle], drivers=[driver])
    if leg not in model.legs:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    solution = solve(model.instance, time_limit=1.0, seed=1)
    report = check_solution(model.instance, solution)
    if solution.unserved or not report.feasible:
        raise InvalidInput("the vehicle has no room for this leg in its run (time windows, ride time, capacity or "
                           "service area)", field="vehicle", rule="vehicle capacity and time windows")
    old_vehicle_id = leg.vehicle_id
    _write_plan(uow, model, solution)
    if old_vehicle_id and old_vehicle_id != vehicle.id:
        old_run = _run_for(uow, uow.session.get(Vehicle, old_vehicle_id), day)
        old_run.plan = {"stops": [s for s in old_run.plan.get("stops", []) if s["leg"] != leg.key]}


def insert_urgent(uow, actor: Actor, leg_key: str, *, now: dt.datetime | None = None) -> Leg:
    """Put an urgent (unassigned) leg into the day's live runs at its cheapest feasible place, in real time: the
    other legs keep their vehicles and order, stops already served by ``now`` do not move, the plan is verified by
    the independent checker before it is written (``nemt.scheduling.realtime.insert_request``)."""
    from dataclasses import replace as dc_replace

    from nemt.scheduling import Route, Solution, Stop, StopKind, check_solution
    from nemt.scheduling.realtime import insert_request

    access.require_role(actor, DISPATCH_ROLES)
    leg = uow.session.scalar(select(Leg).where(Leg.key == leg_key))
    if leg is None or (actor.program and leg.trip.program != actor.program):
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    if leg.status != "scheduled" or leg.vehicle_id:
        raise InvalidInput("only an unassigned, open leg can be inserted", field="leg", rule="open legs only")
    program, day = leg.trip.program, leg.service_date
    on_runs = list(uow.session.scalars(select(Leg).join(Trip).where(
        Trip.program == program, Leg.service_date == day, Leg.status == "assigned", Leg.vehicle_id.is_not(None))
        .order_by(Leg.id)))
    model = build_day(uow, program, day, legs=on_runs + [leg])
    if not model.legs or model.legs[-1] is not leg:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    index = {lg.key: i for i, lg in enumerate(model.legs)}
    vehicle_index = {v.id: k for k, v in enumerate(model.vehicles)}
    routes = []
    for v in model.vehicles:
        run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == v.id,
                                                          VehicleRun.service_date == day))
        stops = [(index[st["leg"]], st["kind"]) for st in (run.plan.get("stops", []) if run else [])
                 if st["leg"] in index and st["leg"] != leg.key]
        if not stops:
            continue
        k = vehicle_index[v.id]
        vehicle = model.instance.vehicles[k]
        body = []
        for r, kind in stops:
            lg = model.legs[r]
            when = lg.planned_pickup if kind == "pickup" else lg.planned_dropoff
            minutes = (when - model.midnight).total_seconds() / 60 if when else vehicle.shift.earliest
            req = model.instance.requests[r]
            body.append(Stop(StopKind.PICKUP if kind == "pickup" else StopKind.DROPOFF, r,
                             req.pickup_location if kind == "pickup" else req.dropoff_location, minutes))
        routes.append(Route(k, [Stop(StopKind.START, -1, vehicle.start_location, vehicle.shift.earliest), *body,
                                Stop(StopKind.END, -1, vehicle.end_location, body[-1].service_start)]))
    live = dc_replace(model.instance, requests=model.instance.requests[:-1])
    minutes_now = None
    if now is not None and now.astimezone(model.midnight.tzinfo).date() == day:
        minutes_now = (now - model.midnight).total_seconds() / 60
    result = insert_request(live, Solution(0.0, routes), model.instance.requests[-1], now=minutes_now)
    if result.vehicle is None:
        raise InvalidInput("no vehicle can take this leg in time (windows, ride time, capacity, credentials or "
                           "service area)", field="leg", rule="urgent insertion")
    report = check_solution(result.instance, result.solution)
    if not report.feasible:
        raise Conflict(f"the plan failed the independent check: {report.violations[:3]}", field="schedule",
                       rule="feasibility checker")
    _write_plan(uow, model, result.solution)
    audit.record(uow, actor, "insert-urgent", "leg", leg.trip.member_id, leg=leg.key,
                 vehicle=model.vehicles[result.vehicle].key)
    try:
        uow.commit()
    except (StaleDataError, IntegrityError):
        uow.rollback()
        raise Conflict("another dispatcher changed these runs; reload and try again", field="schedule",
                       rule="one writer per vehicle day") from None
    return leg


# --- manifests ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestStop:
    at: dt.datetime | None
    kind: str  # pickup | dropoff
    leg_key: str
    member_key: str
    member_name: str
    address: str
    mode: str
    mobility: str  # seat | wheelchair | stretcher
    escorts: int
    passengers: int
    status: str


@dataclass(frozen=True)
class Manifest:
    vehicle: str
    vehicle_type: str
    driver: str
    provider: str
    day: dt.date
    time_zone: str
    stops: list[ManifestStop]

    def as_dict(self) -> dict:
        return {
            "vehicle": self.vehicle, "vehicle_type": self.vehicle_type, "driver": self.driver,
            "provider": self.provider, "day": self.day.isoformat(), "time_zone": self.time_zone,
            "stops": [{**s.__dict__, "at": s.at.isoformat() if s.at else None} for s in self.stops],
        }


def manifest(uow, actor: Actor, vehicle_key: str, day: dt.date) -> Manifest:
    """The ordered stops of one vehicle's day with times, members, mobility needs, escorts and passengers."""
    access.require_role(actor, MANIFEST_ROLES)
    vehicle = uow.session.scalar(select(Vehicle).where(Vehicle.key == vehicle_key))
    if vehicle is None:
        raise NotFound("no such vehicle", field="vehicle", rule="vehicle look-up")
    provider = vehicle.provider
    org = provider.organization
    if actor.program and org.program != actor.program:
        raise NotFound("no such vehicle", field="vehicle", rule="organization-based access")
    if actor.role in (Role.PROVIDER_ADMIN, Role.DRIVER) and org.id != actor.organization_id:
        raise NotFound("no such vehicle", field="vehicle", rule="organization-based access")
    run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == vehicle.id,
                                                      VehicleRun.service_date == day))
    driver = uow.session.get(Driver, run.driver_id) if run and run.driver_id else None
    if actor.role == Role.DRIVER and (driver is None or driver.user_id != actor.user_id):
        raise NotFound("no run of yours on this vehicle that day", field="vehicle", rule="drivers see their own runs")
    zone = load_policy(org.program).time_zone
    legs = {leg.key: leg for leg in uow.session.scalars(
        select(Leg).where(Leg.vehicle_id == vehicle.id, Leg.service_date == day))}
    order = [(s["leg"], s["kind"]) for s in (run.plan.get("stops", []) if run else []) if s["leg"] in legs]
    seen = {k for k, _ in order}
    for key, _leg in sorted(legs.items(), key=lambda kv: kv[1].planned_pickup or kv[1].pickup_earliest
                           or kv[1].dropoff_latest or dt.datetime.max.replace(tzinfo=dt.UTC)):
        if key not in seen:
            order += [(key, "pickup"), (key, "dropoff")]
    stops = []
    members_seen: set[int] = set()
    for key, kind in order:
        leg = legs[key]
        trip = leg.trip
        when = leg.planned_pickup if kind == "pickup" else leg.planned_dropoff
        stops.append(ManifestStop(
            at=when.astimezone(zone) if when else None, kind=kind, leg_key=key, member_key=trip.member.key,
            member_name=f"{trip.member.last_name}, {trip.member.first_name}",
            address=leg.origin_address if kind == "pickup" else leg.destination_address, mode=trip.mode or "",
            mobility=trip.space or "seat",
            escorts=trip.escorts or 0, passengers=trip.passengers or 0, status=leg.status))
        if trip.member_id not in members_seen:
            members_seen.add(trip.member_id)
            audit.record(uow, actor, "read", "manifest", trip.member_id, vehicle=vehicle.key, day=day.isoformat())
    uow.commit()
    return Manifest(vehicle.external_id, vehicle.vehicle_type, driver.name if driver else "(no driver)",
                    org.name, day, str(zone), stops)
