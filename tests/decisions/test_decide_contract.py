"""The JSON contract of `nemt decide`: malformed input exits 2, prints nothing on stdout and names the bad field's
path on stderr; well-formed input is turned into the domain request."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from nemt.contracts import ContractError
from nemt.contracts.decide import DecideInput, parse_ride_request

VALID = {
    "program": "CO",
    "requested_at": "2025-03-03T09:10:00-07:00",
    "requested_by": "member",
    "member": {
        "medicaid_id": "Z100101",
        "name": "Pat Placeholder",
        "birth_date": "1968-04-12",
        "home": {"zip": "80205", "county": "Denver", "state": "CO"},
        "coverage": [{"plan": "medicaid-state-plan", "start": "2023-07-01", "end": None}],
        "has_other_transportation": False,
        "residence": "home",
        "facility_has_vehicle": None,
        "documented_needs": ["cannot-use-less-costly-modes", "escort-required"],
        "at_risk_adult": True,
    },
    "trip": {
        "appointment_at": "2025-03-05T10:30:00-07:00",
        "destination": {
            "name": "Example Clinic", "zip": "80204", "county": "Denver", "state": "CO", "service": "visit",
            "service_covered": True, "provider_enrolled": True, "miles_from_home": 3,
            "closest_qualified_provider_miles": 1.2, "closest_provider_accepts_member": True,
        },
        "requested_mode": "taxi",
        "round_trip": True,
        "urgent_reason": None,
        "escorts": [{"name": "E One", "age": 50, "role": "parent"}, {"name": "E Two", "age": 40, "role": "friend"}],
        "additional_passengers": [{"name": "C", "age": 4, "relation": "member-child", "reason": "no-childcare"}],
        "unaccompanied_minor_release": False,
        "verification_form_25mi_signed_on": None,
        "overnight": False,
        "school_funded_day_treatment": False,
    },
}


def invoke(tmp_path: Path, document) -> object:
    file = tmp_path / "input.json"
    file.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return CliRunner().invoke(app, ["decide", str(file)])


def changed(path: str, value) -> dict:
    """VALID with the field at dotted ``path`` (list indices as numbers) set to ``value``; ``...`` deletes it."""
    doc = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return doc


def test_valid_document_decides(tmp_path):
    result = invoke(tmp_path, VALID)
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) >= {"outcome", "mode", "arranged_by", "reason_codes", "reasons"}
    assert printed["outcome"] == "approved" and printed["mode"] == "taxi"
    for reason in printed["reasons"]:
        assert set(reason) >= {"code", "kind", "message", "citation"}


def test_defaults_of_optional_fields():
    request = parse_ride_request(json.dumps(VALID))
    assert request.trip.purpose == "medical" and request.trip.recurring is False
    assert request.trip.destination.border_town is False and request.member.moved_within_3_months is False
    assert request.trip.escorts[0].returns_without_member is False
    assert request.trip.destination.miles_from_home == 3.0
    assert request.requested_at.utcoffset() == dt.timedelta(hours=-7)
    assert isinstance(request.member.documented_needs, frozenset)


MALFORMED = [
    # (path changed, new value, path named on stderr)
    ("member.medicaid_id", ..., "member.medicaid_id"),                          # required field missing
    ("trip.overnight", ..., "trip.overnight"),
    ("trip.destination.miles_from_home", ..., "trip.destination.miles_from_home"),
    ("member.facility_has_vehicle", ..., "member.facility_has_vehicle"),        # nullable but required
    ("trip.escorts.1.age", "forty", "trip.escorts[1].age"),                     # wrong type
    ("trip.escorts.1.age", 40.5, "trip.escorts[1].age"),
    ("trip.round_trip", "true", "trip.round_trip"),
    ("member.has_other_transportation", 0, "member.has_other_transportation"),
    ("member.home.zip", 80205, "member.home.zip"),
    ("trip.escorts", {}, "trip.escorts"),
    ("trip.destination.miles_from_home", "3", "trip.destination.miles_from_home"),
    ("trip.destination.miles_from_home", -1, "trip.destination.miles_from_home"),
    ("program", "NY", "program"),                                                # outside vocabulary
    ("requested_by", "doctor", "requested_by"),
    ("trip.requested_mode", "helicopter", "trip.requested_mode"),
    ("member.coverage.0.plan", "Medicare", "member.coverage[0].plan"),
    ("member.documented_needs.1", "escort", "member.documented_needs[1]"),
    ("member.residence", "hotel", "member.residence"),
    ("trip.purpose", "shopping", "trip.purpose"),
    ("trip.urgent_reason", "late", "trip.urgent_reason"),
    ("trip.escorts.0.role", "driver", "trip.escorts[0].role"),
    ("trip.additional_passengers.0.relation", "cousin", "trip.additional_passengers[0].relation"),
    ("trip.additional_passengers.0.reason", "fun", "trip.additional_passengers[0].reason"),
    ("member.birth_date", "12/04/1968", "member.birth_date"),                    # date that does not parse
    ("member.coverage.0.end", "2025-02-30", "member.coverage[0].end"),
    ("trip.verification_form_25mi_signed_on", "yesterday", "trip.verification_form_25mi_signed_on"),
    ("trip.appointment_at", "2025-03-05T10:30:00", "trip.appointment_at"),       # datetime without offset
    ("requested_at", "2025-03-03", "requested_at"),
    ("requested_at", "2025-03-03T25:10:00-07:00", "requested_at"),
    ("member.medicaid_id", "Q12345", "member.medicaid_id"),                      # Medicaid ID format
    ("member.medicaid_id", "a123456", "member.medicaid_id"),
    ("member.medicaid_id", "AB123456", "member.medicaid_id"),
    ("trip.urgent_reason", "missed-pickup-over-1-hour", "trip.missed_pickup_scheduled_at"),  # required by another
    ("trip.purpose", "caregiver-for-child", "trip.caregiver"),
    ("trip.caregiver", {"name": "P", "role": "parent", "medicaid_id": "123"}, "trip.caregiver.medicaid_id"),
]


@pytest.mark.parametrize("path, value, named", MALFORMED, ids=[f"{m[2]}={m[1]!r}" for m in MALFORMED])
def test_malformed_input_exits_2_naming_the_path(tmp_path, path, value, named):
    result = invoke(tmp_path, changed(path, value))
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert f" {named}: " in result.stderr
    # the message names the field and the rule, never a member's name or ID
    assert "Pat Placeholder" not in result.stderr and "Z100101" not in result.stderr
    if isinstance(value, str) and path == "member.medicaid_id":
        assert value not in result.stderr


@pytest.mark.parametrize("text", ["", "{", "not json", "[1, 2]", "null", '{"program": "CO",}'])
def test_not_json_or_not_an_object_exits_2(tmp_path, text):
    result = invoke(tmp_path, text)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip()


def test_missing_file_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["decide", str(tmp_path / "absent.json")])
    assert result.exit_code == 2 and result.stdout == ""


def test_contract_error_carries_the_path():
    with pytest.raises(ContractError) as info:
        parse_ride_request(json.dumps(changed("trip.escorts.1.age", "forty")))
    assert info.value.path == "trip.escorts[1].age"


def test_unknown_keys_are_ignored_and_nulls_allowed_where_listed():
    doc = changed("trip.missed_pickup_scheduled_at", None)
    doc["comment"] = "ignored"
    doc["trip"]["caregiver"] = None
    request = parse_ride_request(json.dumps(doc))
    assert request.trip.caregiver is None and request.trip.missed_pickup_scheduled_at is None


def test_models_are_importable_for_the_api():
    model = DecideInput.model_validate_json(json.dumps(VALID))
    assert model.trip.escorts[1].role == "friend"


def test_member_data_stays_out_of_reprs():
    model = DecideInput.model_validate_json(json.dumps(VALID))
    request = parse_ride_request(json.dumps(VALID))
    for text in (repr(model), repr(request)):
        for secret in ("Pat Placeholder", "Z100101", "1968-04-12", "E One"):
            assert secret not in text
