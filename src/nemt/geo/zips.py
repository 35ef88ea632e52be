"""Offline ZIP code facts: centroid, county, state, time zone.

The data is the ``zipcodes`` package (a copy of the USPS ZIP list with GeoNames centroids, CC BY 4.0:
see docs/geo.md for the credit). Lookups need no network and no data file of ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

from nemt.geo.errors import GeoError
from nemt.geo.points import Point

# "80203", "80203-1234" or "802031234" (ZIP+4); only the first five digits locate the centroid.
_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")


@dataclass(frozen=True, slots=True)
class ZipRecord:
    zip_code: str
    point: Point  # centroid of the ZIP's area, not an address
    city: str
    county: str  # without the word "County": "El Paso", "Denver"
    state: str  # two-letter USPS code: "CO", "CT"
    timezone: str  # IANA name: "America/Denver"
    active: bool


def normalize_zip(text: str, field: str = "zip") -> str:
    """The five-digit ZIP of ``text`` (ZIP or ZIP+4), or a GeoError naming ``field``."""
    match = _ZIP.match(str(text).strip()) if text is not None else None
    if not match:
        raise GeoError(field, f"{text!r} is not a ZIP code (5 digits, or ZIP+4 like 80203-1234)")
    return match.group(1)


def _strip_county_word(name: str) -> str:
    return name[: -len(" County")] if name.endswith(" County") else name


@lru_cache(maxsize=4096)
def _record(zip5: str) -> ZipRecord | None:
    rows = zipcodes.matching(zip5)
    if not rows:
        return None
    row = rows[0]
    return ZipRecord(
        zip_code=row["zip_code"],
        point=Point(float(row["lat"]), float(row["long"])),
        city=row["city"],
        county=_strip_county_word(row["county"]),
        state=row["state"],
        timezone=row["timezone"],
        active=bool(row["active"]),
    )


def preload() -> None:
    """Read the ZIP list now. The package reads it at its first look-up — some 0.4 s of CPU on a small machine — which
    a server's worker would otherwise spend in its first booking, holding up every request in flight beside it (the
    start of ``python -m benchmarks load``)."""
    zipcodes.matching("00000")


def lookup_zip(text: str, field: str = "zip") -> ZipRecord:
    """Everything known about a ZIP code. Unknown or malformed ZIPs raise GeoError naming ``field``."""
    zip5 = normalize_zip(text, field)
    record = _record(zip5)
    if record is None:
        raise GeoError(field, f"{zip5} is not a known ZIP code")
    return record


def point_of_zip(zip_code: str) -> Point:
    """Centroid of the ZIP's area."""
    return lookup_zip(zip_code).point


def county_of_zip(zip_code: str) -> str:
    """County name without the word "County" ("Denver", "El Paso")."""
    record = lookup_zip(zip_code)
    if not record.county:
        raise GeoError("zip", f"{record.zip_code} has no county on record")
    return record.county


def state_of_zip(zip_code: str) -> str:
    """Two-letter state code ("CO")."""
    return lookup_zip(zip_code).state


def timezone_of_zip(zip_code: str) -> str:
    """IANA time zone name ("America/Denver")."""
    return lookup_zip(zip_code).timezone


@lru_cache(maxsize=1)
def _fips_index():
    import addfips

    return addfips.AddFIPS()


def county_fips_of_zip(zip_code: str) -> str:
    """Five-digit county FIPS code ("08041" for El Paso, Colorado).

    Connecticut uses its eight historical counties here (as the ZIP data does), not the planning regions
    that the Census Bureau uses since 2022.
    """
    record = lookup_zip(zip_code)
    fips = _fips_index().get_county_fips(county_of_zip(zip_code), state=record.state)
    if fips is None:
        raise GeoError("zip", f"no FIPS code found for {record.county} county, {record.state}")
    return fips


def zip_codes_of_state(state: str, active_only: bool = True) -> list[str]:
    """All ZIP codes of a state (two-letter code), sorted."""
    rows = zipcodes.filter_by_state(state.upper())
    return sorted(row["zip_code"] for row in rows if row["active"] or not active_only)
