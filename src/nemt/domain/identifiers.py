"""Identifiers validated at the edge: Medicaid IDs (per program policy), NPIs, HCPCS codes, ZIP codes."""

from __future__ import annotations

import re

_NPI = re.compile(r"^[0-9]{10}$")
_HCPCS = re.compile(r"^[A-Z][0-9]{4}$")
_ZIP = re.compile(r"^[0-9]{5}(-?[0-9]{4})?$")

# The NPI check digit is the Luhn digit computed over the nine leading digits prefixed with the
# card-issuer prefix 80840 (CMS, "Requirements for NPI check digit").
NPI_LUHN_PREFIX = "80840"


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to ``digits``."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, starting with the rightmost payload digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def valid_npi(value: str) -> bool:
    """Ten digits whose last is the Luhn check digit over ``80840`` + the first nine."""
    if not isinstance(value, str) or not _NPI.fullmatch(value):
        return False
    return luhn_check_digit(NPI_LUHN_PREFIX + value[:9]) == int(value[9])


def make_npi(first_nine: str) -> str:
    """Complete nine digits into a valid NPI (for synthetic demo data and tests)."""
    if not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError("an NPI starts with nine digits")
    return first_nine + str(luhn_check_digit(NPI_LUHN_PREFIX + first_nine))


def valid_hcpcs(value: str) -> bool:
    return isinstance(value, str) and bool(_HCPCS.fullmatch(value))


def valid_zip(value: str) -> bool:
    return isinstance(value, str) and bool(_ZIP.fullmatch(value))
