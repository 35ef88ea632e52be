"""Where a ride starts and ends, and the two distances the 25-mile rule reads, from ``nemt.geo``:
``miles_from_home`` (member's home ZIP -> destination ZIP) and ``closest_qualified_provider_miles`` (the nearest
enrolled medical provider offering the same service within the program's ``distance.radius_miles``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nemt import geo
from nemt.policy import Policy
from nemt.services import network
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.rides.commands import DestinationIn, PlaceIn
from nemt.store.models import MedicalProvider, Member
from nemt.store.uow import UnitOfWork

# Distances already computed while booking the occurrences of one standing order.
Cache = dict[tuple[Any, ...], Any]


@dataclass(frozen=True)
class Place:
    address: str
    zip: str  # five digits
    county: str
    state: str
    name: str = ""
    provider: MedicalProvider | None = None


@dataclass(frozen=True)
class Distances:
    miles_from_home: float
    leg_miles: float  # from the pick-up place to the destination
    closest_qualified_provider_miles: float | None
    closest_provider_accepts_member: bool


def norm(text: str | None) -> str:
    return " ".join((text or "").replace(",", " ").split()).casefold()


def zip5(value: str | None, field_name: str) -> geo.ZipRecord:
    """A known ZIP code or InvalidInput naming the field (without quoting the value)."""
    try:
        return geo.lookup_zip(value or "", field_name)
    except geo.GeoError:
        raise InvalidInput("is not a known ZIP code (5 digits, or ZIP+4)", field=field_name,
                           rule="known ZIP code") from None


def destination(uow: UnitOfWork, member: Member, d: DestinationIn) -> Place:
    if d.provider is not None:
        return _directory_destination(uow, member, d, d.provider)
    for name in ("name", "address", "zip"):
        if not getattr(d, name):
            raise InvalidInput("required for a free address (or give destination.provider)",
                               field=f"destination.{name}", rule="destination")
    assert d.name and d.address  # refused empty just above (mypy does not follow getattr)
    if d.provider_enrolled is None:
        raise InvalidInput("required for a free address: is the provider enrolled with the program?",
                           field="destination.provider_enrolled", rule="destination")
    record = zip5(d.zip, "destination.zip")
    return Place(d.address.strip(), record.zip_code, record.county, record.state, d.name.strip(), None)


def _directory_destination(uow: UnitOfWork, member: Member, d: DestinationIn, key: str) -> Place:
    if d.name or d.address or d.zip:
        raise InvalidInput("give either a provider key or a free address, not both", field="destination",
                           rule="destination")
    mp = uow.rides.medical_provider(member.program, key)
    if mp is None:
        raise NotFound("no such medical provider in the program", field="destination.provider",
                       rule="provider directory")
    if d.service not in (mp.services or []):
        raise InvalidInput("the provider does not offer this service", field="destination.service",
                           rule="provider directory: services offered")
    record = zip5(mp.zip, "destination.provider")
    address = ", ".join(p for p in (mp.address_line, mp.city) if p)
    return Place(address, record.zip_code, mp.county or record.county, mp.state or record.state, mp.name, mp)


def pickup(member: Member, p: PlaceIn | None) -> Place:
    if p is None:
        record = zip5(member.zip, "member")
        address = ", ".join(x for x in (member.address_line, member.city) if x)
        return Place(address, record.zip_code, member.county or record.county, member.state or record.state)
    record = zip5(p.zip, "pickup.zip")
    return Place(p.address.strip(), record.zip_code, record.county, record.state)


def distances(uow: UnitOfWork, member: Member, start: Place, end: Place, d: DestinationIn, policy: Policy,
              cache: Cache) -> Distances:
    """The distances of a ride: by road from home and from the pick-up place, and to the closest qualified
    provider (the agent's answer overrides whether that provider accepts the member)."""
    engine = geo.default_engine()
    home_record = zip5(member.zip, "member")
    dest_point = geo.point_of_zip(end.zip)
    route_key = ("route", member.zip, end.zip, start.zip)
    if route_key not in cache:
        miles_from_home = engine.route(home_record.point, dest_point).miles
        leg_miles = miles_from_home if start.zip == home_record.zip_code else \
            engine.route(geo.point_of_zip(start.zip), dest_point).miles
        cache[route_key] = (miles_from_home, leg_miles)
    miles_from_home, leg_miles = cache[route_key]
    closest, accepts = _closest_qualified(uow, member, d.service, policy, engine, cache)
    if d.closest_provider_accepts_member is not None:
        accepts = d.closest_provider_accepts_member
    return Distances(float(miles_from_home), float(leg_miles), None if closest is None else float(closest), accepts)


def _closest_qualified(uow: UnitOfWork, member: Member, service: str, policy: Policy, engine: Any,
                       cache: Cache) -> tuple[float | None, bool]:
    """Miles to the closest enrolled provider offering ``service`` within the program's radius (None: none within
    it), and whether that provider accepts members. Programs without a distance rule get (None, True)."""
    radius = policy.get("distance.radius_miles", None)
    if radius is None:
        return None, True
    key = ("closest", member.zip, service)
    if key not in cache:
        ranked = network.closest_medical_providers(uow, member.program, member.zip, service,
                                                   within_miles=float(radius), engine=engine)
        accepting = [r for r in ranked if r.provider.accepting_members]
        if not ranked:
            cache[key] = (None, True)
        else:
            cache[key] = (accepting[0].miles, True) if accepting else (ranked[0].miles, False)
    result: tuple[float | None, bool] = cache[key]
    return result
