import math

import pytest

from nemt.geo import (
    Address,
    Geocoder,
    GeoError,
    Point,
    ZipCentroidGeocoder,
    great_circle_miles,
    parse_point,
    resolve_location,
)


def test_parse_point():
    assert parse_point("39.7392,-104.9903") == Point(39.7392, -104.9903)
    assert parse_point(" 41.76 , -72.68 ") == Point(41.76, -72.68)


@pytest.mark.parametrize("bad", ["39.7", "39.7;-104.9", "north,west", "1,2,3", "", "91,0", "0,181", "nan,0"])
def test_malformed_coordinates_are_geo_errors(bad):
    with pytest.raises(GeoError) as caught:
        parse_point(bad, field="from")
    assert caught.value.field == "from"


def test_point_rejects_out_of_range_and_non_finite():
    for lat, lon in ((90.5, 0), (0, -180.5), (math.inf, 0), (0, math.nan)):
        with pytest.raises(GeoError):
            Point(lat, lon)


def test_great_circle_one_degree_of_latitude():
    assert great_circle_miles(Point(39, -105), Point(40, -105)) == pytest.approx(69.09, abs=0.05)


def test_resolve_location_takes_zip_or_lat_lon():
    assert resolve_location("80203") == resolve_location("80203-0001")
    assert resolve_location("39.5,-105.1") == Point(39.5, -105.1)
    with pytest.raises(GeoError) as caught:
        resolve_location("Denver", field="to")
    assert caught.value.field == "to" and "'Denver'" in caught.value.reason


def test_zip_centroid_geocoder_satisfies_the_protocol():
    geocoder = ZipCentroidGeocoder()
    assert isinstance(geocoder, Geocoder)
    place = geocoder.geocode("1560 Broadway, Denver, CO 80202-5143")
    assert place.zip_code == "80202" and place.county == "Denver" and place.precision == "zip_centroid"
    place = geocoder.geocode(Address(street="1 Main St", city="Colorado Springs", state="CO", zip_code="80909"))
    assert place.county == "El Paso" and place.timezone == "America/Denver"


def test_geocoder_errors_name_the_field():
    geocoder = ZipCentroidGeocoder()
    with pytest.raises(GeoError) as caught:
        geocoder.geocode("1560 Broadway, Denver, CO")
    assert caught.value.field == "address"
    with pytest.raises(GeoError) as caught:
        geocoder.geocode(Address(street="1 Main St", state="CT", zip_code="80909"))
    assert caught.value.field == "state"
