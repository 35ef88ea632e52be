"""Program policies load, carry citations, and a bad file fails naming the file, the key and the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nemt.policy import PolicyError, load_policy, load_policy_file, policy_dir


@pytest.mark.parametrize("code", ["CO", "CT"])
def test_program_files_load(code):
    policy = load_policy(code)
    assert policy.code == code
    assert policy.get("claims.diagnosis") == "R6889"
    assert policy.cite("program").startswith(policy.document + " — ")


def test_colorado_values_from_the_manual():
    co = load_policy("CO")
    assert co.get("distance.radius_miles") == 25
    assert co.get("distance.verification_form_valid_days") == 90
    assert co.get("mileage_review.max_units_without_review") == 52
    assert set(co.get("administration.broker_counties")) == {
        "Adams", "Arapahoe", "Boulder", "Broomfield", "Denver", "Douglas", "Jefferson", "Larimer", "Weld"}
    assert co.get("urgent.facility_booking_effective") == dt.date(2019, 1, 1)
    assert co.mode("wheelchair-van")["trip_code"] == "A0130"
    assert co.mode("wheelchair-van")["mileage_code"] == "S0209"
    assert co.cite("distance") == "Health First Colorado NEMT Billing Manual — 25 Mile or Longer Trips"
    assert str(co.time_zone) == "America/Denver"


def test_connecticut_brokers_by_date():
    ct = load_policy("CT")
    brokers = {b["name"]: b for b in ct.get("brokers")}
    assert brokers["LogistiCare"]["through"] == dt.date(2017, 12, 31)
    assert brokers["Veyo"]["from"] == dt.date(2018, 1, 1)
    assert brokers["Veyo"]["phone"] == "1-855-478-7350"
    assert ct.get("notice.required_hours") == 48


def _write_variant(tmp_path: Path, replace: tuple[str, str]) -> Path:
    text = (policy_dir() / "co.toml").read_text()
    assert replace[0] in text, "the test's anchor must exist in the real file"
    path = tmp_path / "co.toml"
    path.write_text(text.replace(replace[0], replace[1], 1))
    return path


@pytest.mark.parametrize(
    "replace, key, problem",
    [
        (("radius_miles = 25\n", "radius_miles = 25\nradius_miles = 30\n"), "(syntax)", "not valid TOML"),
        (('diagnosis = "R6889"', 'diagnosis = "R68.89"'), "claims.diagnosis", "without the decimal point"),
        (("pickup_window_minutes = 15", 'pickup_window_minutes = "15"'), "operations.pickup_window_minutes",
         "must be an integer"),
        (('time_zone = "America/Denver"', 'time_zone = "Mars/Olympus"'), "program.time_zone", "unknown time zone"),
        (('downgrade_to = "mobility-ambulatory"', 'downgrade_to = "hovercraft"'), "modes.wheelchair-van.downgrade_to",
         "unknown mode"),
        (('cite = "25 Mile or Longer Trips"\n\n[mileage_review]', '\n[mileage_review]'), "distance.cite", "missing"),
        (('medicaid_id_pattern = "^[A-Z][0-9]{6}$"', 'medicaid_id_pattern = "^[A-Z"'),
         "identifiers.medicaid_id_pattern", "not a regular expression"),
        (('code = "CO"', 'code = "CT"'), "program.code", "the file is for 'CO'"),
        (('refuse = ["event-order", "loaded-minutes"]', 'refuse = ["event-order", "loaded-minute"]'),
         "plausibility.refuse[1]", "unknown rule 'loaded-minute'"),
        (('broker_address = "100 Example Broker Way, Denver, CO 80202"', 'broker_address = "Denver"'),
         "payers.broker_address", "a street, city, state and ZIP"),
        (("max_loaded_miles = 3000\n", ""), "trip_log.max_loaded_miles", "missing"),
        (("max_wait_minutes = 1440\n", 'max_wait_minutes = "a day"\n'), "trip_log.max_wait_minutes",
         "must be an integer"),
        (("early_pickup_minutes = 20\n", ""), "plausibility.early_pickup_minutes", "missing"),
        (("pin_attempts = 5\n", "pin_attempts = true\n"), "plausibility.pin_attempts", "must be an integer"),
    ],
)
def test_bad_policy_file_names_file_key_and_problem(tmp_path, replace, key, problem):
    path = _write_variant(tmp_path, replace)
    with pytest.raises(PolicyError) as err:
        load_policy_file(path, expected_code="CO")
    assert err.value.key == key
    assert problem in err.value.problem
    assert str(path) in str(err.value)


def test_missing_required_key(tmp_path):
    path = _write_variant(tmp_path, ("days = 365\n", ""))
    with pytest.raises(PolicyError, match=r"timely_filing\.days: missing"):
        load_policy_file(path)
