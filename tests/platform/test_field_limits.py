"""Text longer than its column, or holding a NUL character, is refused before anything is written — a 422 naming the
field and the rule, the same on SQLite (which enforces no lengths) and PostgreSQL (which would raise: a 500)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nemt.store.limits import FIELD_LENGTH, TEXT_WITHOUT_NUL, FieldRefused, check_value
from nemt.store.models import Organization, Trip

PROBLEM = "application/problem+json"
HEADER = ("medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start,"
          "coverage_end,residence,has_other_transportation,at_risk_adult,documented_needs\n")


def _row(first_name: str) -> str:
    return (f"A100001,{first_name},Example,1950-02-03,1 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,"
            "2024-01-01,,home,false,false,\n")


def test_check_value_names_the_column_and_the_rule():
    check_value("trips", "destination_name", 200, "x" * 200)
    check_value("trips", "destination_name", 200, None)
    with pytest.raises(FieldRefused) as long:
        check_value("trips", "destination_name", 200, "x" * 201)
    assert long.value.message == "the destination name is longer than 200 characters"
    assert (long.value.field, long.value.where, long.value.rule) == ("destination_name", "trips.destination_name",
                                                                     FIELD_LENGTH)
    with pytest.raises(FieldRefused) as nul:
        check_value("members", "notes", None, "a\x00b")
    assert nul.value.rule == TEXT_WITHOUT_NUL and "\x00" not in nul.value.message


def test_the_store_refuses_before_writing(uow_factory):
    with uow_factory() as uow:
        uow.session.add(Organization(name="n" * 201, kind="broker", program="CO"))
        with pytest.raises(FieldRefused) as err:
            uow.flush()
        assert err.value.where == "organizations.name"
    with uow_factory() as uow:  # a changed row: only what changed is checked, and refused alike
        org = Organization(name="Fine name", kind="broker", program="CO")
        uow.session.add(org)
        uow.commit()
        org.name = "bad\x00name"
        with pytest.raises(FieldRefused):
            uow.commit()


def _import(client, headers, first_name: str):
    return client.post("/api/v1/members/import", headers=headers, data={"program": "CO"},
                       files={"file": ("members.csv", (HEADER + _row(first_name)).encode(), "text/csv")})


def test_member_import_with_a_101_character_first_name_is_a_422(client, token_for, db):
    headers = token_for("admin")
    r = _import(client, headers, "F" * 101)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["field"] == "first_name" and body["rule"] == "field length"
    assert body["detail"] == "the first name is longer than 100 characters"
    assert "FFFF" not in r.text
    r = _import(client, headers, "Ann\x00")
    assert r.status_code == 422 and r.json()["rule"] == "text without NUL"
    search = client.post("/api/v1/members/search", json={"medicaid_id": "A100001"}, headers=headers)
    assert search.status_code == 200 and search.json() == []  # nothing was written


def test_booking_with_a_250_character_destination_name_is_a_422(client, token_for, demo):
    headers = token_for("agent")
    [member] = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=headers).json()
    appointment = dt.datetime.combine(dt.date(2026, 11, 24), dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=-7)))

    body = {"member": member["key"], "appointment_at": appointment.isoformat(),
            "requested_mode": "mobility-ambulatory",
            "destination": {"name": "Clinic " + "x" * 243, "address": "200 Sample Ave", "zip": "80204",
                            "service": "primary-care", "provider_enrolled": True}}
    r = client.post("/api/v1/rides", json=body, headers=headers)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["detail"] == "the destination name is longer than 200 characters"
    assert problem["field"] == "destination_name" and problem["rule"] == "field length"
    with demo() as uow:  # nothing was written
        assert uow.session.scalar(select(func.count()).select_from(Trip)) == 0
