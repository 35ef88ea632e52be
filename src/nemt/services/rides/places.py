"""Where a ride starts and ends, and the two distances the 25-mile rule reads, from ``nemt.geo``:
``miles_from_home`` (member's home ZIP -> destination ZIP) and ``closest_qualified_provider_miles`` (the nearest
enrolled medical provider offering the same service within the program's ``distance.radius_miles``)."""

from __future__ import annotations

import re
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


def home(member: Member) -> Place:
    """The member's home address: the pick-up unless another is given."""
    record = zip5(member.zip, "member")
    address = ", ".join(x for x in (member.address_line, member.city) if x)
    return Place(address, record.zip_code, member.county or record.county, member.state or record.state)


def pickup(member: Member, p: PlaceIn | None) -> Place:
    if p is None:
        return home(member)
    if p.zip is None:
        return geocoded_pickup(p.address)
    record = zip5(p.zip, "pickup.zip")
    return Place(p.address.strip(), record.zip_code, record.county, record.state)


# "…, CO 80203" or "… 80203-1234" at the end of a one-line address: the state (optional) and the ZIP.
_STATE_ZIP = re.compile(r"(?:[\s,]+([A-Za-z]{2}))?[\s,]+(\d{5})(?:-\d{4})?\s*$")
GEOCODING_RULE = "offline geocoding: an address is placed at its ZIP code's centre (docs/geo.md)"


def geocoded_pickup(line: str) -> Place:
    """A pick-up address typed on one line, placed offline by ``nemt.geo``'s ZIP-centroid geocoder: it needs a street
    and a known ZIP at the end (and the ZIP must be in the state written before it). Refusals name ``pickup.address``
    and say what is missing, never quoting the address."""
    text = " ".join(line.split())
    match = _STATE_ZIP.search(text)
    if match is None:
        raise InvalidInput("the pick-up address cannot be placed: end it with its 5-digit ZIP code "
                           "(for example \"1200 Elm St, Denver, CO 80203\")", field="pickup.address",
                           rule=GEOCODING_RULE)
    street = text[:match.start()].strip(" ,")
    if not any(ch.isdigit() for ch in street) or not any(ch.isalpha() for ch in street):
        raise InvalidInput("the pick-up address needs a house number and a street before its ZIP code",
                           field="pickup.address", rule=GEOCODING_RULE)
    state = (match.group(1) or "").upper()
    try:
        placed = geo.ZipCentroidGeocoder().geocode(geo.Address(street=street, state=state, zip_code=match.group(2)))
    except geo.GeoError as exc:
        why = ("its ZIP code is not a known ZIP code" if exc.field == "zip"
               else "its ZIP code is in another state than the one written" if exc.field == "state"
               else "it has no ZIP code")
        raise InvalidInput(f"the pick-up address cannot be placed: {why}", field="pickup.address",
                           rule=GEOCODING_RULE) from None
    written = text[:match.end(1)] if match.group(1) else street
    return Place(written.strip(" ,"), placed.zip_code, placed.county, placed.state)


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
