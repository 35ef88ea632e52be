"""The `nemt bill` input contract: malformed input is rejected naming the field's path."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from nemt.contracts import ContractError
from nemt.contracts.bill import parse_bill_input


@pytest.fixture(scope="module")
def good(acceptance_dir):
    return json.loads((acceptance_dir / "claims" / "clm-009.json").read_text())["input"]


def _set(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@pytest.mark.parametrize("path, value, expected_path", [
    (("provider", "npi"), "1990000012", "provider.npi"),  # bad check digit
    (("provider", "npi"), "199000001", "provider.npi"),  # nine digits
    (("provider", "specialty"), "999", "provider.specialty"),
    (("program",), "CT", "program"),
    (("legs", 1, "loaded_miles"), 4.5, "legs[1].loaded_miles"),
    (("legs", 1, "loaded_miles"), -1, "legs[1].loaded_miles"),
    (("legs", 0, "wait_minutes"), True, "legs[0].wait_minutes"),
    (("legs", 0, "member", "medicaid_id"), "ZZ12345", "legs[0].member.medicaid_id"),
    (("legs", 0, "member", "medicaid_id"), "Z1234567", "legs[0].member.medicaid_id"),
    (("legs", 0, "member", "birth_date"), "2016-02-30", "legs[0].member.birth_date"),
    (("legs", 0, "date_of_service"), "10/07/2025", "legs[0].date_of_service"),
    (("legs", 0, "mode"), "rocket", "legs[0].mode"),
    (("legs", 0, "service_level"), "BLS", "legs[0].service_level"),
    (("legs", 0, "status"), "done", "legs[0].status"),
    (("legs", 0, "escorts", 0, "role"), "bodyguard", "legs[0].escorts[0].role"),
    (("legs", 1, "additional_passengers", 0, "relation"), "cousin", "legs[1].additional_passengers[0].relation"),
    (("legs", 0, "pickup", "time"), "8:05", "legs[0].pickup.time"),
    (("legs", 0, "member_in_vehicle"), "yes", "legs[0].member_in_vehicle"),
    (("legs", 0, "rendering_provider_npi"), KeyError, "legs[0].rendering_provider_npi"),
    (("legs", 0, "trip_confirmed_by"), "driver", "legs[0].trip_confirmed_by"),
    (("legs",), {}, "legs"),
    (("ancillary",), KeyError, "ancillary"),
])
def test_malformed_field_named_by_path(good, policy, path, value, expected_path):
    doc = copy.deepcopy(good)
    _set(doc, path, value)
    with pytest.raises(ContractError) as info:
        parse_bill_input(json.dumps(doc), policy)
    assert info.value.path == expected_path


def test_public_transit_needs_its_service_level(good, policy):
    doc = copy.deepcopy(good)
    doc["legs"][0]["mode"] = "public-transit"
    with pytest.raises(ContractError, match=r"legs\[0\]\.service_level"):
        parse_bill_input(json.dumps(doc), policy)


def test_escort_entry_needs_escort_name(acceptance_dir, policy):
    doc = json.loads((acceptance_dir / "claims" / "clm-012.json").read_text())["input"]
    del doc["ancillary"][6]["escort_name"]
    with pytest.raises(ContractError) as info:
        parse_bill_input(json.dumps(doc), policy)
    assert info.value.path == "ancillary[6].escort_name"


def test_duplicate_ids_are_malformed(good, policy):
    doc = copy.deepcopy(good)
    doc["legs"][1]["leg_id"] = doc["legs"][0]["leg_id"]
    with pytest.raises(ContractError, match=r"legs\[1\]\.leg_id"):
        parse_bill_input(json.dumps(doc), policy)


def test_not_json(policy):
    with pytest.raises(ContractError, match="not JSON"):
        parse_bill_input("{legs:", policy)


def test_message_never_echoes_member_data(good, policy):
    doc = copy.deepcopy(good)
    doc["legs"][0]["member"]["medicaid_id"] = "Q12345X"
    with pytest.raises(ContractError) as info:
        parse_bill_input(json.dumps(doc), policy)
    assert "Q12345X" not in str(info.value)


def test_good_input_parses(good, policy):
    log = parse_bill_input(json.dumps(good), policy)
    assert [leg.leg_id for leg in log.legs] == ["E1", "E2"] and log.provider.npi == good["provider"]["npi"]


def test_cli_exit_2_empty_stdout(good, tmp_path):
    doc = copy.deepcopy(good)
    doc["legs"][0]["member"]["birth_date"] = "not a date"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["bill", str(file)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "legs[0].member.birth_date" in result.stderr


def test_cli_not_json_exit_2(tmp_path):
    file = tmp_path / "bad.json"
    file.write_text("not json at all")
    result = CliRunner().invoke(app, ["bill", str(file)])
    assert result.exit_code == 2 and result.stdout == ""


def test_cli_empty_trip_log_is_a_result(tmp_path, good):
    doc = dict(good, legs=[], ancillary=[])
    file = tmp_path / "empty.json"
    file.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["bill", str(file)])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"claims": [], "edits": []}


@pytest.mark.parametrize(("where", "field"), [
    (("vehicle_id",), "vehicle_id"), (("driver",), "driver"), (("member", "name"), "member_name"),
    (("pickup", "address"), "pickup_address"), (("dropoff", "address"), "dropoff_address"),
])
def test_a_blank_item_is_well_formed_and_makes_the_attachment_insufficient(good, policy, where, field):
    """Reading 23: a blank string is how a trip log that lacks an item is written; never malformed input."""
    from nemt.billing.claim_rules import build_claims

    doc = copy.deepcopy(good)
    leg = doc["legs"][0]
    leg.update(loaded_miles=61, attachment_25mi=True, identity_verified=True, trip_confirmed_by="member")
    target = leg
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = "  " if field == "driver" else ""
    log = parse_bill_input(json.dumps(doc), policy)
    batch = build_claims(log.legs, log.ancillary, policy)
    insufficient = [e for e in batch.edits if e.code == "attachment-insufficient-denied"]
    assert [e.ref for e in insufficient] == [leg["leg_id"]] and field in insufficient[0].message


def test_blank_strings_elsewhere_are_well_formed(good, policy):
    doc = copy.deepcopy(good)
    doc["legs"][0]["shared_ride_group"] = ""
    doc["legs"][0]["leg_id"] = ""
    log = parse_bill_input(json.dumps(doc), policy)
    assert log.legs[0].leg_id == "" and log.legs[0].shared_ride_group == ""
