"""The pure credential rule: a lapsed credential, a missing permit or the wrong vehicle type blocks assignment,
and the reason names the credential."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.domain.network import Credential, DriverFacts, VehicleFacts, check_assignment, expiring
from nemt.policy import load_policy

CO = load_policy("CO")
DAY = dt.date(2026, 3, 10)


def driver(**expiry):
    dates = {"licence": dt.date(2027, 1, 1), "background_check": dt.date(2027, 1, 1), "training": dt.date(2027, 1, 1)}
    dates.update(expiry)
    return DriverFacts("Jo Example", True, tuple(Credential(k, v) for k, v in dates.items() if v != "missing"))


def vehicle(vtype="wheelchair-van", permit="common-carrier", **expiry):
    dates = {"inspection": dt.date(2027, 1, 1), "insurance": dt.date(2027, 1, 1)}
    dates.update(expiry)
    creds = [Credential(k, v) for k, v in dates.items() if k != "permit"]
    if permit:
        creds.append(Credential("permit", expiry.get("permit", dt.date(2027, 1, 1)), permit))
    return VehicleFacts("WV-1", vtype, True, tuple(creds), 4, 2, 0)


def test_all_valid_may_carry():
    assert check_assignment(driver(), vehicle(), "wheelchair-van", DAY, CO).ok


@pytest.mark.parametrize("kind", ["licence", "background_check", "training"])
def test_driver_credential_lapsed_the_day_before(kind):
    result = check_assignment(driver(**{kind: DAY - dt.timedelta(days=1)}), vehicle(), "wheelchair-van", DAY, CO)
    assert [(p.subject, p.credential) for p in result.problems] == [("driver", kind)]
    assert "expired on 2026-03-09" in str(result.problems[0])
    assert result.problems[0].citation.endswith("Eligible Providers")


def test_credential_valid_through_its_expiry_day():
    assert check_assignment(driver(licence=DAY), vehicle(inspection=DAY), "wheelchair-van", DAY, CO).ok


@pytest.mark.parametrize("kind", ["inspection", "insurance"])
def test_vehicle_credential_lapsed(kind):
    result = check_assignment(driver(), vehicle(**{kind: dt.date(2026, 1, 1)}), "wheelchair-van", DAY, CO)
    assert [(p.subject, p.credential) for p in result.problems] == [("vehicle", kind)]


def test_missing_credential_is_named():
    result = check_assignment(driver(training="missing"), vehicle(), "wheelchair-van", DAY, CO)
    assert [(p.credential, p.reason) for p in result.problems] == [("training", "not on file")]


def test_permit_must_fit_the_mode():
    result = check_assignment(driver(), vehicle(vtype="mobility-ambulatory", permit="common-carrier"),
                              "mobility-ambulatory", DAY, CO)
    assert result.ok  # common carrier is among the mobility permits in the policy
    result = check_assignment(driver(), vehicle(vtype="sedan", permit="contract-carrier"), "taxi", DAY, CO)
    assert [p.credential for p in result.problems] == ["permit"]
    assert result.problems[0].citation.endswith("Taxicab")
    result = check_assignment(driver(), vehicle(permit=None), "wheelchair-van", DAY, CO)
    assert [p.credential for p in result.problems] == ["permit"]


def test_vehicle_type_must_serve_the_mode():
    result = check_assignment(driver(), vehicle(vtype="sedan"), "wheelchair-van", DAY, CO)
    assert "vehicle type" in [p.credential for p in result.problems]
    # A wheelchair van may carry an ambulatory member.
    assert check_assignment(driver(), vehicle(permit="contract-carrier"), "mobility-ambulatory", DAY, CO).ok


def test_expiring_windows():
    creds = [("a", Credential("licence", DAY + dt.timedelta(days=d))) for d in (-1, 0, 29, 30, 31, 61, 90, 91)]
    assert [left for _, _, left in expiring(creds, DAY, 30)] == [0, 29, 30]
    assert [left for _, _, left in expiring(creds, DAY, 90)] == [0, 29, 30, 31, 61, 90]
