"""A member's documents on file (issue 16, point 3), through the use cases, on SQLite and PostgreSQL: each kind
recorded with its file, the form's validity window, supersession without overwriting, waiting rides decided again
(released by a certification or a prior authorization; the form counted by the decision), refusals naming the
field, another program's member refused, and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import func, select, text

from nemt import clock
from nemt.policy import load_policy
from nemt.services import rides
from nemt.services.members.documents import DocumentIn, document_file, member_documents, record_document
from nemt.services.platform.errors import Forbidden, InvalidInput, NotFound
from nemt.store.models import AuditEvent, Leg, Member, MemberDocument, MemberNeed, Notice, Trip
from tests.documents.conftest import CHEYENNE, GIF, PDF, PNG, today
from tests.rides.conftest import local, ride

DOCTOR = "Dr. Ada Example, MD (demo)"
REVIEWER = "HCPF prior authorization unit (demo)"


def _book(world, actor, member: str, **extra):
    body = ride(world.members[member], world.providers["Denver"], **extra)
    with world.uow() as uow:
        return rides.book_ride(uow, actor, rides.parse_input(rides.RideRequestIn, body), clock.now())


def _record(world, actor, member: str, content: bytes = PDF, **fields):
    with world.uow() as uow:
        return record_document(uow, actor, world.members[member], DocumentIn.model_validate(fields), content,
                               clock.now())


def _certification(**extra) -> dict:
    return {"kind": "certification", "statements": ["cannot-use-less-costly-modes"], "signed_by": DOCTOR,
            "signed_on": today(), **extra}


def _authorization(**extra) -> dict:
    return {"kind": "prior-authorization", "covers": ["out-of-state"], "authorization_number": "PA-2026-0001",
            "valid_from": today(), "valid_through": today() + dt.timedelta(days=30), "signed_by": REVIEWER,
            "signed_on": today(), **extra}


def test_a_certification_with_its_file_releases_the_waiting_ride(world, actors):
    agent = actors("agent")
    booked = _book(world, agent, "noneeds")
    assert booked.trip.outcome == "pending"
    result = _record(world, agent, "noneeds", **_certification())
    view = result.document
    assert (view.kind, view.statements, view.signed_by, view.signed_on) == (
        "certification", ["cannot-use-less-costly-modes"], DOCTOR, today())
    assert (view.file_type, view.file_bytes, view.file_sha256) == (
        "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    assert view.status == "current" and view.valid_through is None and result.released == 1
    with world.uow() as uow:
        trip = uow.session.scalar(select(Trip).where(Trip.key == booked.trip.key))
        assert trip.outcome == "approved"
        assert {leg.status for leg in uow.session.scalars(select(Leg).where(Leg.trip_id == trip.id))} == {"scheduled"}
        notice = uow.session.scalars(select(Notice).where(Notice.trip_id == trip.id, Notice.kind == "approved")).one()
        assert DOCTOR in notice.appeal
        # The statement is on the member's record too, with who signed it and when (as record_certification puts it).
        [need] = uow.session.scalars(select(MemberNeed).join(Member).where(Member.key == world.members["noneeds"]))
        assert (need.need, need.certified_by, need.certified_on) == ("cannot-use-less-costly-modes", DOCTOR, today())
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == "member-document")).all()
        assert [e.action for e in events] == ["create"]
        assert events[0].detail["file_sha256"] == view.file_sha256 and events[0].detail["document"] == view.key
        redecided = uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == "trip",
                                                                 AuditEvent.action == "update")).all()
        assert [e.detail["via"] for e in redecided] == ["document"]
        assert all(e.member_id == trip.member_id for e in (*events, *redecided))
        dumped = json.dumps([e.detail for e in (*events, *redecided)])
        assert "Zzyzxlast" not in dumped and "R900003" not in dumped and "Testfirst" not in dumped
    with world.uow() as uow:
        assert not [t for t in rides.pending_rides(uow, agent, clock.now()) if t.key == booked.trip.key]
    # Read back: the list and the file, each read audited; the download name carries no member data.
    with world.uow() as uow:
        [listed] = member_documents(uow, agent, world.members["noneeds"], clock.now())
        assert listed.key == view.key and listed.status == "current"
        content, media_type, name = document_file(uow, agent, world.members["noneeds"], view.key)
        assert (content, media_type) == (PDF, "application/pdf") and name == f"certification-{view.key}.pdf"
        reads = uow.session.scalars(select(AuditEvent.entity).where(AuditEvent.action == "read")).all()
        assert "member-document" in reads and "member-document-file" in reads


def test_the_form_counts_its_window_and_the_decision_reads_it(world, actors):
    agent = actors("agent")
    valid_days = load_policy("CO").get("distance.verification_form_valid_days")
    assert valid_days == 90  # 25 Mile or Longer Trips: "valid for 90 days for recurring medical appointments"
    signed = today() - dt.timedelta(days=valid_days - 3)
    fort_collins = {"destination": {"provider": world.providers["Fort Collins"], "service": "oncology"},
                    "recurring": True}
    # Before any form: a recurring ride over 25 miles is told the form is needed (information, the ride stands).
    before = _book(world, agent, "plain", appointment_at=local(2, 10).isoformat(), **fort_collins)
    assert "verification-form-required" in before.trip.reason_codes and before.trip.outcome == "approved"
    result = _record(world, agent, "plain", PNG, kind="verification-form-25mi", signed_by="Front desk for Dr. Example",
                     signed_on=signed, destination_provider=world.providers["Fort Collins"], recurring=True)
    view = result.document
    assert (view.valid_from, view.valid_through) == (signed, signed + dt.timedelta(days=valid_days))
    assert view.file_type == "image/png" and view.destination_provider == world.providers["Fort Collins"]
    inside = _book(world, agent, "plain", appointment_at=local(3, 10).isoformat(), **fort_collins)  # day 90
    outside = _book(world, agent, "plain", appointment_at=local(4, 10).isoformat(), **fort_collins)  # day 91
    once = _book(world, agent, "plain", appointment_at=local(3, 12).isoformat(),
                 **{**fort_collins, "recurring": False})
    assert "verification-form-on-file" in inside.trip.reason_codes
    assert "verification-form-required" in outside.trip.reason_codes
    assert "verification-form-required" in once.trip.reason_codes  # the form counts for recurring appointments
    # A form for one appointment names its date, and counts on that date only.
    with pytest.raises(InvalidInput) as refused:
        _record(world, agent, "plain", kind="verification-form-25mi", signed_by="Dr. Example", signed_on=today(),
                destination_provider=world.providers["Fort Collins"], recurring=False)
    assert refused.value.field == "appointment_on" and "25 Mile or Longer Trips" in refused.value.rule
    one = _record(world, agent, "plain", kind="verification-form-25mi", signed_by="Dr. Example", signed_on=today(),
                  destination_name="Example Clinic", destination_zip="80521", recurring=False,
                  appointment_on=today() + dt.timedelta(days=5)).document
    assert one.valid_from == one.valid_through == today() + dt.timedelta(days=5)


def test_a_prior_authorization_releases_an_out_of_state_ride(world, actors):
    agent = actors("agent")
    booked = _book(world, agent, "plain", destination=CHEYENNE)
    assert booked.trip.outcome == "pending" and "prior-authorization-required" in booked.trip.reason_codes
    # An authorization of something else leaves it waiting, with a new pending notice.
    train = _record(world, agent, "plain", **_authorization(covers=["train"], authorization_number="PA-2026-0007"))
    assert train.released == 0 and [r.trip.outcome for r in train.decided.decided] == ["pending"]
    assert train.decided.decided[0].notice.kind == "pending"
    result = _record(world, agent, "plain", **_authorization())
    assert result.released == 1 and result.document.covers == ["out-of-state"]
    with world.uow() as uow:
        trip = uow.session.scalar(select(Trip).where(Trip.key == booked.trip.key))
        assert trip.outcome == "approved" and "prior-authorization-required" not in trip.reason_codes
        assert "out-of-state" in trip.reason_codes  # still said, as information
        notice = uow.session.scalars(select(Notice).where(Notice.trip_id == trip.id, Notice.kind == "approved")).one()
        assert "PA-2026-0001" in notice.appeal
    # Outside the dates it covers, a new out-of-state ride waits again.
    later = _book(world, agent, "plain", destination=CHEYENNE, appointment_at=local(40, 10).isoformat())
    assert later.trip.outcome == "pending"


def test_a_newer_document_supersedes_and_nothing_is_overwritten(world, actors):
    agent = actors("agent")
    first = _record(world, agent, "noneeds", **_certification()).document
    second = _record(world, agent, "noneeds", **_certification(
        statements=["cannot-use-less-costly-modes", "wheelchair-confined"], signed_by="Dr. Second (demo)"))
    assert second.supersedes == [first.key]
    third = _record(world, agent, "noneeds", **_authorization(covers=["train"]))
    amended = _record(world, agent, "noneeds", **_authorization(covers=["train", "out-of-state"]))
    assert amended.supersedes == [third.document.key]
    with world.uow() as uow:
        listed = {v.key: v for v in member_documents(uow, agent, world.members["noneeds"], clock.now())}
        assert listed[first.key].status == "superseded" and listed[first.key].superseded_by == second.document.key
        assert listed[second.document.key].status == "current"
        assert listed[third.document.key].superseded_by == amended.document.key
        assert listed[first.key].signed_by == DOCTOR  # the older one kept as it was
        assert uow.session.scalar(select(func.count(MemberDocument.id))) == 4
    # The table is append-only: the database refuses a change or a deletion.
    for statement in ("UPDATE member_documents SET signed_by = 'someone else'", "DELETE FROM member_documents"):
        with world.uow() as uow, pytest.raises(Exception, match="append-only"):
            uow.session.execute(text(statement))
            uow.flush()


@pytest.mark.parametrize(("fields", "content", "field"), [
    (_certification(), GIF, "file"),
    (_certification(), b"", "file"),
    (_certification(statements=[]), PDF, "statements"),
    (_certification(covers=["train"]), PDF, "covers"),
    (_certification(signed_on=dt.date(2099, 1, 1)), PDF, "signed_on"),
    (_authorization(covers=["taxi"]), PDF, "covers"),
    (_authorization(covers=[]), PDF, "covers"),
    (_authorization(authorization_number=" "), PDF, "authorization_number"),
    (_authorization(valid_through=dt.date(2020, 1, 1)), PDF, "valid_through"),
    ({"kind": "verification-form-25mi", "signed_by": "x", "signed_on": dt.date(2026, 1, 1), "recurring": True},
     PDF, "destination_name"),
])
def test_refusals_name_the_field_and_write_nothing(world, actors, fields, content, field):
    with pytest.raises(InvalidInput) as refused:
        _record(world, actors("agent"), "noneeds", content, **fields)
    assert refused.value.field == field, refused.value
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(MemberDocument.id))) == 0
        assert not uow.session.scalars(select(MemberNeed).join(Member).where(
            Member.key == world.members["noneeds"])).all()


def test_who_may_record_and_for_which_members(world, actors):
    for name in ("provider", "driver", "facility", "auditor"):
        with pytest.raises(Forbidden):
            _record(world, actors(name), "noneeds", **_certification())
    with pytest.raises(NotFound) as hidden:  # a Connecticut member for a Colorado agent, and the reverse
        _record(world, actors("agent"), "ct", **_certification())
    assert hidden.value.field == "member"
    with pytest.raises(NotFound):
        _record(world, actors("ct-agent"), "noneeds", **_certification())
    with world.uow() as uow, pytest.raises(NotFound):
        member_documents(uow, actors("ct-agent"), world.members["noneeds"], clock.now())
    # Connecticut has no 25-mile rule and no prior authorization: neither document is taken there.
    for fields in ({"kind": "verification-form-25mi", "destination_name": "X", "destination_zip": "06103",
                    "recurring": True, "signed_by": "Dr. X", "signed_on": today()}, _authorization()):
        with pytest.raises(InvalidInput) as refused:
            _record(world, actors("ct-agent"), "ct", **fields)
        assert refused.value.field == "kind"
    assert _record(world, actors("ct-agent"), "ct", **_certification()).document.kind == "certification"
    # A driver reads no documents (minimum necessary); another member's key does not reach a document.
    doc = _record(world, actors("agent"), "plain", **_certification()).document
    with world.uow() as uow, pytest.raises(Forbidden):
        document_file(uow, actors("driver"), world.members["plain"], doc.key)
    with world.uow() as uow, pytest.raises(NotFound):
        document_file(uow, actors("agent"), world.members["noneeds"], doc.key)


def test_a_transportation_provider_records_the_25_mile_form_of_its_own_members_only(world, actors):
    """25 Mile or Longer Trips: "It is the NEMT driver or provider's responsibility to get this form signed by the
    member's provider": the provider records it for a member it carries; nothing else, and no one else's member."""
    from nemt.store.models import TransportProvider

    provider = actors("provider")
    form = {"kind": "verification-form-25mi", "destination_provider": world.providers["Fort Collins"],
            "recurring": True, "signed_by": DOCTOR, "signed_on": today()}
    booked = _book(world, actors("agent"), "plain")
    with pytest.raises(NotFound) as hidden:  # not yet one of its members: no leg of the member is the provider's
        _record(world, provider, "plain", **form)
    assert hidden.value.field == "member"
    with world.uow() as uow:  # the leg assigned to the provider, as dispatch would
        leg = uow.session.scalar(select(Leg).join(Trip).where(Trip.key == booked.trip.key).limit(1))
        leg.provider_id = uow.session.scalar(select(TransportProvider.id).where(
            TransportProvider.organization_id == provider.organization_id).limit(1))
        uow.commit()
    result = _record(world, provider, "plain", **form)
    assert result.document.kind == "verification-form-25mi" and result.decided is None and result.released == 0
    with world.uow() as uow:
        listed = member_documents(uow, actors("agent"), world.members["plain"], clock.now())
    assert [d.key for d in listed] == [result.document.key]  # the broker sees it with the member's documents
    for other in (_certification(), _authorization()):  # the provider records the form alone
        with pytest.raises(Forbidden) as refused:
            _record(world, provider, "plain", **other)
        assert "25-mile verification form" in str(refused.value)
    for name in ("driver", "facility", "auditor"):
        with pytest.raises(Forbidden):
            _record(world, actors(name), "plain", **form)
