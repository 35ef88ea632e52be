import pytest

from nemt.geo import (
    GeoError,
    county_fips_of_zip,
    county_of_zip,
    lookup_zip,
    normalize_zip,
    point_of_zip,
    state_of_zip,
    timezone_of_zip,
)


@pytest.mark.parametrize(
    "zip_code, county, state, timezone",
    [
        ("80203", "Denver", "CO", "America/Denver"),
        ("80909", "El Paso", "CO", "America/Denver"),
        ("80521", "Larimer", "CO", "America/Denver"),
        ("81501", "Mesa", "CO", "America/Denver"),
        ("06103", "Hartford", "CT", "America/New_York"),
        ("06510", "New Haven", "CT", "America/New_York"),
    ],
)
def test_zip_lookups(zip_code, county, state, timezone):
    assert county_of_zip(zip_code) == county
    assert state_of_zip(zip_code) == state
    assert timezone_of_zip(zip_code) == timezone


def test_point_of_zip_is_the_centroid_in_the_state():
    denver = point_of_zip("80203")
    assert 39.6 < denver.lat < 39.9 and -105.1 < denver.lon < -104.8
    hartford = point_of_zip("06103")
    assert 41.7 < hartford.lat < 41.8 and -72.8 < hartford.lon < -72.6


def test_zip_plus_four_and_spaces_are_accepted():
    assert normalize_zip(" 80203-1234 ") == "80203"
    assert normalize_zip("802031234") == "80203"
    assert lookup_zip("80203-1234").county == "Denver"


def test_county_fips():
    assert county_fips_of_zip("80909") == "08041"  # El Paso, Colorado
    assert county_fips_of_zip("80203") == "08031"  # Denver
    assert county_fips_of_zip("06103") == "09003"  # Hartford (historical county)


@pytest.mark.parametrize("bad", ["8020", "802034", "ABCDE", "", "80203-12"])
def test_malformed_zip_is_a_geo_error_naming_the_input(bad):
    with pytest.raises(GeoError) as caught:
        point_of_zip(bad)
    assert caught.value.field == "zip"
    assert repr(bad) in caught.value.reason


def test_unknown_zip_is_a_geo_error():
    with pytest.raises(GeoError) as caught:
        county_of_zip("00000")
    assert caught.value.field == "zip"
    assert "00000 is not a known ZIP code" in str(caught.value)
