"""Address -> point. Street-level geocoding needs data or a service we do not have offline, so it sits behind
the :class:`Geocoder` protocol; the default :class:`ZipCentroidGeocoder` places an address at its ZIP centroid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from nemt.geo.errors import GeoError
from nemt.geo.points import Point
from nemt.geo.zips import lookup_zip

Precision = Literal["rooftop", "street", "zip_centroid"]


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""


@dataclass(frozen=True, slots=True)
class GeocodedPlace:
    point: Point
    zip_code: str
    county: str  # without "County"
    state: str
    timezone: str
    precision: Precision  # how close ``point`` is to the real door


@runtime_checkable
class Geocoder(Protocol):
    def geocode(self, address: Address | str) -> GeocodedPlace:
        """The place of an address, or GeoError(field="address" or "zip", reason)."""
        ...


# The last ZIP or ZIP+4 in a one-line address: "1 Main St, Denver, CO 80203-1234".
_ZIP_IN_TEXT = re.compile(r"\b(\d{5})(?:-\d{4})?\b(?!.*\b\d{5}\b)")


class ZipCentroidGeocoder:
    """Places every address at the centroid of its ZIP code. Offline and deterministic; good to a few miles
    in towns, worse in large rural ZIPs. The street and city are not used."""

    def geocode(self, address: Address | str) -> GeocodedPlace:
        if isinstance(address, str):
            match = _ZIP_IN_TEXT.search(address)
            if not match:
                raise GeoError("address", "no ZIP code found in the address (ZIP-centroid geocoding needs one)")
            zip_text = match.group(1)
        else:
            if not address.zip_code:
                raise GeoError("zip", "the address has no ZIP code (ZIP-centroid geocoding needs one)")
            zip_text = address.zip_code
        record = lookup_zip(zip_text)
        if isinstance(address, Address) and address.state and address.state.upper() != record.state:
            raise GeoError("state", f"ZIP {record.zip_code} is in {record.state}, not {address.state.upper()}")
        return GeocodedPlace(
            point=record.point,
            zip_code=record.zip_code,
            county=record.county,
            state=record.state,
            timezone=record.timezone,
            precision="zip_centroid",
        )
