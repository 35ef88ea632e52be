"""Complaints and grievances (issue 16, point 5) through the services, on SQLite and PostgreSQL: intake linked to a
ride, the due day from the policy, the steps open -> investigating -> resolved (and the refused ones, in words),
append-only notes, the member's notice, who sees which complaints, the audit trail, and the report's counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from nemt import clock
from nemt.domain.statuses import ComplaintStatus, LegStatus
from nemt.policy import load_policy
from nemt.services import complaints
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.store.models import AuditEvent, ComplaintNote, Leg, Trip
from tests.complaints.conftest import MILE_HIGH, PEAK, actor


def _record(world, username: str = "agent", **body):
    body.setdefault("category", "late")
    body.setdefault("description", "The van came 40 minutes after the pick-up time.")
    with world.uow() as uow:
        c = complaints.record_complaint(uow, actor(uow, username), complaints.ComplaintIn(**body), clock.now())
        return c.key, c.reference


def _today() -> dt.date:
    return clock.now().astimezone(load_policy("CO").time_zone).date()


def test_an_agent_records_a_members_complaint_on_a_ride_due_by_the_policy(booked):
    key, reference = _record(booked, confirmation=booked.confirmations[0].lower(), reported_by="member")
    assert reference.startswith("CO-C")
    with booked.uow() as uow:
        view = complaints.get_complaint(uow, actor(uow, "agent"), key, clock.now())
        c = view.complaint
        assert (c.status, c.reported_by, c.category) == ("open", "member", "late")
        assert c.trip.key == booked.trips[0] and c.member.key == booked.members["plain"]
        assert view.provider == MILE_HIGH and not view.overdue
        days = load_policy("CO").get("complaints.resolution_days")
        assert c.received_on == _today() and c.due_on == _today() + dt.timedelta(days=days)
        # The audit trail has the intake and the read, for the member, without member data in the details.
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == "complaint")
                                     .order_by(AuditEvent.seq)).all()  # the chain's order, not the heap's
        assert [e.action for e in events] == ["create", "read"] and {e.member_id for e in events} == {c.member_id}
        assert "Zzyzxlast" not in json.dumps([e.detail for e in events])


def test_the_steps_notes_and_the_members_notice(booked):
    key, reference = _record(booked, trip=booked.trips[0])
    now = clock.now()
    with booked.uow() as uow:
        agent = actor(uow, "agent")
        resolution = complaints.ResolutionIn(finding="substantiated", resolution="The provider retrained the driver.")
        with pytest.raises(Conflict, match="investigated before it is resolved") as refused:
            complaints.resolve(uow, agent, key, resolution, now)
        assert refused.value.rule == "complaint steps"
    with booked.uow() as uow:  # the first note starts the investigation
        complaints.add_note(uow, actor(uow, "agent"), key, complaints.NoteIn(text="Called the provider."), now)
        complaints.add_note(uow, actor(uow, "admin"), key, complaints.NoteIn(text="GPS shows 38 minutes late."), now)
    with booked.uow() as uow:
        with pytest.raises(Conflict, match="already under investigation"):
            complaints.start_investigation(uow, actor(uow, "agent"), key, now)
    with booked.uow() as uow:
        done = complaints.resolve(uow, actor(uow, "agent"), key, resolution, now)
        assert (done.status, done.finding) == (ComplaintStatus.RESOLVED, "substantiated")
        assert [(n.author, n.text) for n in done.notes] == [("agent", "Called the provider."),
                                                             ("admin", "GPS shows 38 minutes late.")]
        [notice] = done.notices
        assert reference in notice.text and "substantiated" in notice.text and "retrained" in notice.text
        assert notice.member_id == done.member_id
    with booked.uow() as uow:
        for step in (lambda a: complaints.resolve(uow, a, key, resolution, now),
                     lambda a: complaints.add_note(uow, a, key, complaints.NoteIn(text="late"), now)):
            with pytest.raises(Conflict, match="resolved"):
                step(actor(uow, "agent"))
    # The notes are append-only in the database itself.
    with booked.uow() as uow, pytest.raises(Exception, match="append-only"):
        uow.session.execute(text("UPDATE complaint_notes SET text = 'changed'"))
        uow.session.flush()


def test_overdue_when_not_resolved_after_the_due_day(booked):
    key, _ = _record(booked, trip=booked.trips[0])
    with booked.uow() as uow:
        due = complaints.get_complaint(uow, actor(uow, "agent"), key, clock.now()).complaint.due_on
    after = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(12), tzinfo=load_policy("CO").time_zone)
    on_the_day = dt.datetime.combine(due, dt.time(12), tzinfo=load_policy("CO").time_zone)
    with booked.uow() as uow:
        assert complaints.get_complaint(uow, actor(uow, "agent"), key, after).overdue
        assert not complaints.get_complaint(uow, actor(uow, "agent"), key, on_the_day).overdue


def test_who_sees_which_complaints(booked):
    about_mile_high, _ = _record(booked, trip=booked.trips[0])
    about_peak, _ = _record(booked, "facility", confirmation=booked.confirmations[1], category="driver-conduct")
    by_provider, _ = _record(booked, "provider", category="billing", description="A remittance was short.")
    ct, _ = _record(booked, "ct-agent", member=booked.members["ct"], category="other", description="Rude call.")
    now = clock.now()
    with booked.uow() as uow:
        seen = {u: {v.complaint.key for v in complaints.list_complaints(uow, actor(uow, u), now)}
                for u in ("agent", "auditor", "admin", "provider", "facility", "ct-agent")}
    program = {about_mile_high, about_peak, by_provider}
    assert seen["agent"] == seen["auditor"] == seen["admin"] == program  # the program's, not Connecticut's
    assert seen["provider"] == {about_mile_high, by_provider}  # its own trips, and its own filing
    assert seen["facility"] == {about_peak}  # what it filed
    assert seen["ct-agent"] == {ct}
    with booked.uow() as uow:
        with pytest.raises(NotFound):
            complaints.get_complaint(uow, actor(uow, "provider"), about_peak, now)
        with pytest.raises(Forbidden):
            complaints.list_complaints(uow, actor(uow, "driver"), now)
        with pytest.raises(Forbidden):  # a provider may file and read, not investigate
            complaints.add_note(uow, actor(uow, "provider"), about_mile_high, complaints.NoteIn(text="ok"), now)


def test_intake_refuses_what_cannot_be(booked):
    with booked.uow() as uow:
        facility = actor(uow, "facility")
        cases = [
            (facility, {"confirmation": booked.confirmations[0]}, NotFound, "confirmation"),  # not its booking
            (facility, {"reported_by": "member"}, InvalidInput, "reported_by"),
            (actor(uow, "agent"), {"trip": booked.trips[0], "member": booked.members["wheel"]}, InvalidInput,
             "member"),
            (actor(uow, "agent"), {"leg": "no-such-leg"}, NotFound, "leg"),
        ]
        for who, extra, error, field in cases:
            body = {"category": "safety", "description": "x", **extra}
            with pytest.raises(error) as refused:
                complaints.record_complaint(uow, who, complaints.ComplaintIn(**body), clock.now())
            assert refused.value.field == field
        assert uow.session.scalar(text("SELECT count(*) FROM complaints")) == 0


def test_the_report_counts_complaints_per_thousand_completed_trips(booked):
    _record(booked, trip=booked.trips[0])
    _record(booked, trip=booked.trips[0], category="vehicle-condition")
    _record(booked, "facility", confirmation=booked.confirmations[1], category="driver-conduct")
    today = _today()
    with booked.uow() as uow:  # the rides were driven (completed legs count as trips in the report)
        for leg in uow.session.scalars(select(Leg).join(Trip).where(Trip.key.in_(booked.trips))):
            leg.status, leg.service_date = LegStatus.COMPLETED, today
        uow.commit()
    with booked.uow() as uow:
        report = complaints.complaints_report(uow, actor(uow, "auditor"), today - dt.timedelta(days=7), today)
    rows = {(r[0], r[1]): r[2:] for r in report.rows}
    legs_each = 1  # one-way rides
    assert rows[(MILE_HIGH, "all categories")] == (2, legs_each, 2000.0, 200.0)
    assert rows[(MILE_HIGH, "late")] == (1, legs_each, 1000.0, 100.0)
    assert rows[(PEAK, "driver-conduct")] == (1, legs_each, 1000.0, 100.0)
    assert rows[("all providers", "all categories")] == (3, 2 * legs_each, 1500.0, 150.0)
    assert dict(complaints.chart_items(report)) == {MILE_HIGH: 2000.0, PEAK: 1000.0}
    assert report.csv().splitlines()[0] == ("provider,category,complaints,completed trips,per 1,000 trips,"
                                            "percent of trips").replace("per 1,000 trips", '"per 1,000 trips"')
    with booked.uow() as uow:
        with pytest.raises(Forbidden):
            complaints.complaints_report(uow, actor(uow, "provider"), today, today)
        with pytest.raises(InvalidInput):
            complaints.complaints_report(uow, actor(uow, "auditor"), today, today - dt.timedelta(days=1))
        assert uow.session.scalar(select(AuditEvent.detail).where(AuditEvent.entity == "report"))["report"] \
            == "complaints"


def test_notes_are_stored_with_who_and_when(booked):
    key, _ = _record(booked, trip=booked.trips[0])
    at = clock.now()
    with booked.uow() as uow:
        complaints.add_note(uow, actor(uow, "agent"), key, complaints.NoteIn(text="first"), at)
    with booked.uow() as uow:
        [note] = uow.session.scalars(select(ComplaintNote)).all()
        assert (note.author, note.text, note.at) == ("agent", "first", at.astimezone(dt.UTC))
