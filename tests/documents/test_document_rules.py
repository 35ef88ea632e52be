"""The pure rules of the documents on file (nemt.domain.documents) and what they give the decision: the 25-mile
form's window, supersession, the form for the ride's destination, prior authorizations by mode, date and
out-of-state travel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from nemt.contracts.decide import parse_ride_request
from nemt.domain import documents as d
from nemt.domain.decisions import decide, select_mode
from nemt.policy import load_policy

DAY = dt.date(2026, 11, 17)
CO = load_policy("CO")


def _doc(order: int, kind: str, **extra) -> d.Document:
    base = {"signed_on": DAY, "valid_from": DAY, "valid_through": None}
    return d.Document(order=order, kind=kind, **{**base, **extra})


def test_the_form_window_is_the_policys_days_inclusive():
    assert d.form_window(DAY, True, None, 90) == (DAY, DAY + dt.timedelta(days=90))
    assert d.form_window(DAY, False, DAY + dt.timedelta(days=3), 90) == (DAY + dt.timedelta(days=3),) * 2


def test_supersession_by_kind_and_subject():
    here, there = d.destination_token(7), d.destination_token(None, "Example  Clinic", "80521-1234")
    assert there == d.destination_token(None, "example clinic", "80521")
    docs = [
        _doc(1, d.CERTIFICATION, statements=frozenset({"a"})),
        _doc(2, d.CERTIFICATION, statements=frozenset({"a", "b"})),
        _doc(3, d.CERTIFICATION, statements=frozenset({"b"})),  # restates only b: 2 still counts for a
        _doc(4, d.VERIFICATION_FORM, destination=here, recurring=True),
        _doc(5, d.VERIFICATION_FORM, destination=there, recurring=True),
        _doc(6, d.VERIFICATION_FORM, destination=here, recurring=True),
        _doc(7, d.PRIOR_AUTHORIZATION, authorization_number="PA-1"),
        _doc(8, d.PRIOR_AUTHORIZATION, authorization_number="pa-1"),
        _doc(9, d.PRIOR_AUTHORIZATION, authorization_number="PA-2"),
    ]
    assert d.superseded(docs) == {1: 2, 4: 6, 7: 8}
    assert [x.order for x in d.current(docs)] == [2, 3, 5, 6, 8, 9]


def test_the_form_for_the_destination_and_day():
    here = d.destination_token(7)
    form = _doc(1, d.VERIFICATION_FORM, destination=here, recurring=True, valid_through=DAY + dt.timedelta(days=90))
    once = _doc(2, d.VERIFICATION_FORM, destination=here, recurring=False, valid_through=DAY)
    assert d.covering_form([form, once], here, DAY + dt.timedelta(days=90)) == form
    assert d.covering_form([form], here, DAY + dt.timedelta(days=91)) is None
    assert d.covering_form([form], d.destination_token(8), DAY) is None
    assert d.covering_form([once], here, DAY) is None  # the decision counts a form for recurring appointments


def test_authorizations_cover_their_dates_and_what_they_name():
    pa = _doc(1, d.PRIOR_AUTHORIZATION, covers=frozenset({"train", d.OUT_OF_STATE}), authorization_number="PA-1",
              valid_through=DAY + dt.timedelta(days=10))
    assert d.authorized_on([pa], DAY) == {"train", d.OUT_OF_STATE}
    assert d.authorized_on([pa], DAY + dt.timedelta(days=11)) == frozenset()
    assert d.authorized_on([pa], DAY - dt.timedelta(days=1)) == frozenset()


def test_the_mode_ladder_reads_the_authorization_of_the_mode_in_question():
    needs = {"cannot-use-less-costly-modes", "train-required"}
    assert [f.code for f in select_mode("train", needs, CO).findings] == ["prior-authorization-required"]
    assert select_mode("train", needs, CO, frozenset({"train"})).findings == ()
    assert [f.code for f in select_mode("train", needs, CO, frozenset({"commercial-air"})).findings] == [
        "prior-authorization-required"]


def test_the_acceptance_cases_waiting_for_authorization_are_released_by_one(acceptance_dir):
    """Every acceptance case that waits for a prior authorization no longer does with one for its mode and
    out-of-state travel on file — and the case itself (no authorization) still waits."""
    released = 0
    for path in sorted((acceptance_dir / "decisions").glob("*.json")):
        case = json.loads(path.read_text())
        if "prior-authorization-required" not in case["expect"].get("reason_codes", []):
            continue
        request = parse_ride_request(json.dumps(case["input"]))
        policy = load_policy(request.program)
        before = decide(request, policy, request.requested_at)
        lifted = dataclasses.replace(request, trip=dataclasses.replace(
            request.trip, prior_authorized=frozenset({d.OUT_OF_STATE, request.trip.requested_mode})))
        after = decide(lifted, policy, request.requested_at)
        assert "prior-authorization-required" in before.reason_codes, path.name
        assert "prior-authorization-required" not in after.reason_codes, path.name
        released += 1
    assert released >= 2
