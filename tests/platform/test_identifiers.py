from __future__ import annotations

import pytest

from nemt.domain.dates import age_on
from nemt.domain.identifiers import make_npi, valid_hcpcs, valid_npi, valid_zip
from nemt.policy import load_policy


def test_npi_check_digit_with_80840_prefix():
    assert valid_npi("1234567893")  # the CMS example NPI
    assert not valid_npi("1234567890")
    assert not valid_npi("123456789")
    assert not valid_npi("12345678931")
    assert valid_npi(make_npi("199000005"))


@pytest.mark.parametrize("value, ok", [("A123456", True), ("Z000000", True), ("a123456", False),
                                       ("AB12345", False), ("A1234567", False), ("1234567", False), ("", False)])
def test_colorado_medicaid_id(value, ok):
    assert load_policy("CO").valid_medicaid_id(value) is ok


def test_other_identifiers():
    assert valid_hcpcs("A0130") and not valid_hcpcs("A013") and not valid_hcpcs("a0130")
    assert valid_zip("80203") and valid_zip("80203-1234") and valid_zip("802031234") and not valid_zip("8020")


def test_age_in_whole_years():
    import datetime as dt

    born = dt.date(2012, 3, 10)
    assert age_on(born, dt.date(2025, 3, 9)) == 12
    assert age_on(born, dt.date(2025, 3, 10)) == 13
    leap = dt.date(2008, 2, 29)
    assert age_on(leap, dt.date(2025, 2, 28)) == 16
    assert age_on(leap, dt.date(2025, 3, 1)) == 17
