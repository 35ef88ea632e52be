"""Eligibility with the payer in the database (SQLite and PostgreSQL): the 270 dropped and recorded, the 271
recorded on its inquiry and read by booking, the 834 imported; malformed files refused naming the segment with
nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nemt.billing.x12_270 import check_x279
from nemt.services.members.eligibility_edi import FileDropTransport, import_834, inquiry, read_271
from nemt.services.platform.errors import Forbidden, InvalidInput
from nemt.store.eligibility_models import EligibilityCheck
from nemt.store.models import AuditEvent, Member
from tests.conftest import actor_for
from tests.eligibility.builders import Answer, Eb, Enrollee, Span, build_271, build_834
from tests.rides.conftest import local, ride

DAY = local(7, 10).date()  # the booking tests' date of service


def _ask(world, outbox, member: str = "plain", day: dt.date = DAY, who: str = "agent"):
    with world.uow() as uow:
        return inquiry(uow, actor_for(world.uow, who), world.members[member], day,
                       transport=FileDropTransport(outbox))


def _answer(world, text: str, who: str = "agent"):
    with world.uow() as uow:
        return read_271(uow, actor_for(world.uow, who), text)


def _checks(world) -> list[tuple[str, bool | None, list]]:
    with world.uow() as uow:
        return [(c.status, c.active, c.plans) for c in uow.session.scalars(select(EligibilityCheck)
                                                                           .order_by(EligibilityCheck.id))]


def _events(world, action: str, entity: str) -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == action, AuditEvent.entity == entity))


def test_an_inquiry_drops_a_270_and_records_it(world, tmp_path):
    sent = _ask(world, tmp_path)
    dropped = tmp_path / f"270-{sent.trace}.x12"
    assert sent.location == str(dropped) and dropped.read_text(encoding="ascii") == sent.text
    assert check_x279(sent.text, {"270": "HS"}) == (True, [])
    assert "MI*R900001~" in sent.text and f"DTP*291*D8*{DAY:%Y%m%d}~" in sent.text
    assert _checks(world) == [("sent", None, [])]
    assert _events(world, "export", "eligibility-inquiry") == 1
    with pytest.raises(Forbidden):
        _ask(world, tmp_path, who="provider")


def test_a_271_is_recorded_on_its_inquiry(world, tmp_path):
    active, qmb = _ask(world, tmp_path, "plain"), _ask(world, tmp_path, "lapsed")
    unnamed, unknown = _ask(world, tmp_path, "wheel"), _ask(world, tmp_path, "noneeds")
    answers = _answer(world, build_271([
        Answer(active.trace, "R900001"),
        Answer(qmb.trace, "R900004", (Eb("1", "Qualified Medicaid Beneficiary (QMB) Only", DAY),)),
        Answer(unnamed.trace, "R900002", (Eb("1", "", DAY),)),
        Answer(unknown.trace, "R900003", reject="75")]))
    assert [(r.status, r.active, r.plans) for r in answers] == [
        ("answered", True, ("medicaid-state-plan",)), ("answered", False, ("QMB-only",)),
        ("incomplete", None, ()), ("rejected", None, ())]
    assert answers[3].reasons == ("subscriber or insured not found",)
    assert answers[1].reasons == ("Qualified Medicare Beneficiary (QMB) only does not include NEMT (Health First "
                                  "Colorado NEMT Billing Manual — Member Eligibility)",)
    assert answers[0].member == world.members["plain"]
    assert _events(world, "update", "eligibility-response") == 4
    # The same inquiry cannot be answered twice.
    with pytest.raises(InvalidInput) as again:
        _answer(world, build_271([Answer(active.trace, "R900001")], icn=502))
    assert again.value.field.endswith("(TRN)") and "answered already" in str(again.value)


@pytest.mark.parametrize("bad, field", [
    (lambda t1, t2: build_271([Answer(t1, "R900001"), Answer("CO9999999999", "R900004")]), "(TRN)"),
    (lambda t1, t2: build_271([Answer(t1, "R900001"), Answer(t2, "R900001")]), "(HL)"),
    (lambda t1, t2: build_271([Answer(t1, "R900001"), Answer(t2, "R900004")]).replace("GE*1*", "GE*2*"), "(GE)"),
    (lambda t1, t2: build_271([Answer(t1, "R900001"), Answer(t2, "R900004", (Eb("1", "GOLD"),))]), "(EB)"),
])
def test_a_malformed_271_is_refused_naming_the_segment_and_records_nothing(world, tmp_path, bad, field):
    t1, t2 = _ask(world, tmp_path, "plain").trace, _ask(world, tmp_path, "lapsed").trace
    with pytest.raises(InvalidInput) as refused:
        _answer(world, bad(t1, t2))
    assert refused.value.field.startswith("segment ") and refused.value.field.endswith(field), refused.value.field
    assert "R900001" not in str(refused.value) and "R900004" not in str(refused.value)
    assert _checks(world) == [("sent", None, []), ("sent", None, [])]
    assert _events(world, "update", "eligibility-response") == 0


def _book(client, headers, world, member: str) -> dict:
    r = client.post("/api/v1/rides", json=ride(world.members[member], world.providers["Denver"]), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_booking_decides_on_the_payers_answer(client, token_for, world, tmp_path, settings_env):
    """Member Eligibility: the payer's 271 for the member and date replaces the member table's coverage."""
    settings_env(NEMT_EDI_OUTBOX=str(tmp_path))
    headers = token_for("agent")
    traces = {}
    for member in ("plain", "lapsed", "wheel"):
        r = client.post("/api/v1/eligibility/inquiries", headers=headers,
                        json={"member": world.members[member], "date_of_service": DAY.isoformat()})
        assert r.status_code == 201, r.text
        traces[member] = r.json()["trace"]
        assert (tmp_path / f"270-{traces[member]}.x12").is_file()
    text = build_271([Answer(traces["plain"], "R900001", (Eb("6", "MEDICAID STATE PLAN", None),)),
                      Answer(traces["lapsed"], "R900004", (Eb("1", "MEDICAID STATE PLAN", DAY),)),
                      Answer(traces["wheel"], "R900002", (Eb("1", "CHP+", DAY),))])
    r = client.post("/api/v1/eligibility/responses", headers=headers, files={"file": ("answer.271", text)})
    assert r.status_code == 200, r.text
    assert [x["active"] for x in r.json()] == [False, True, False]
    # Covered in our table, inactive with the payer: refused, the reason in words with its citation.
    trip = _book(client, headers, world, "plain")
    assert trip["outcome"] == "denied" and "member-not-eligible" in trip["reason_codes"], trip["reason_codes"]
    notice = client.get(f"/api/v1/notices/{trip['notice']}", headers=headers).json()
    [reason] = [x for x in notice["reasons"] if x["code"] == "member-not-eligible"]
    assert reason["message"].startswith("The member has no Health First Colorado (Medicaid State Plan) coverage on "
                                        "the date of service")
    assert reason["citation"] == "Health First Colorado NEMT Billing Manual — Member Eligibility"
    # Lapsed in our table, active with the payer: approved.
    assert _book(client, headers, world, "lapsed")["outcome"] == "approved"
    # Active with the payer, but only in a plan the manual excludes.
    assert "benefit-plan-excluded" in _book(client, headers, world, "wheel")["reason_codes"]
    # A provider may not ask the payer.
    r = client.post("/api/v1/eligibility/inquiries", headers=token_for("provider"),
                    json={"member": world.members["plain"], "date_of_service": DAY.isoformat()})
    assert r.status_code == 403
    # The administrator imports an 834; a bad one is a problem naming the segment.
    admin, enrollment = token_for("admin"), build_834([Enrollee("Q800001")])
    r = client.post("/api/v1/members/import-834", headers=admin, data={"program": "CO"},
                    files={"file": ("bad.834", enrollment.replace("HLT*MEDICAID STATE PLAN", "HLT*GOLD"))})
    assert r.status_code == 422 and r.json()["field"] == "segment 13 (HD)", r.text
    r = client.post("/api/v1/members/import-834", headers=admin, data={"program": "CO"},
                    files={"file": ("enrollment.834", enrollment)})
    assert r.status_code == 200 and (r.json()["created"], r.json()["rows"]) == (1, 1), r.text


def _import(world, text: str):
    with world.uow() as uow:
        return import_834(uow, actor_for(world.uow, "admin"), text, "CO", "enrollment.834")


def _member(world, medicaid_id: str) -> tuple | None:
    with world.uow() as uow:
        m = uow.session.scalars(select(Member).where(Member.medicaid_id == medicaid_id)).first()
        return None if m is None else (m.last_name, m.county, [(c.plan, c.start, c.end) for c in m.coverage])


def _members(world) -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Member))


def test_an_834_creates_and_updates_members_and_coverage_spans(world):
    jan = dt.date(2026, 1, 1)
    first = _import(world, build_834([Enrollee("Q800001"), Enrollee("Q800002", spans=(Span("QMB ONLY", jan),))]))
    assert (first.rows, first.created, first.updated, first.unchanged) == (2, 2, 0, False)
    assert _member(world, "Q800001") == ("Example", "Denver", [("medicaid-state-plan", jan, None)])
    june, july = dt.date(2026, 6, 30), dt.date(2026, 7, 1)
    second = build_834([Enrollee("Q800002", last_name="Newname", maintenance="001",
                                 spans=(Span("QMB ONLY", jan, june), Span("MEDICAID STATE PLAN", july)))], icn=602)
    result = _import(world, second)
    assert (result.created, result.updated) == (0, 1)
    assert _member(world, "Q800002") == ("Newname", "Denver", [("QMB-only", jan, june),
                                                               ("medicaid-state-plan", july, None)])
    assert _import(world, second).unchanged
    with world.uow() as uow:
        sources = [e.detail.get("source") for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "member", AuditEvent.action.in_(("create", "update"))))]
    assert sources == ["834-import"] * 3


@pytest.mark.parametrize("change, field", [
    (("DMG*D8*19710203*F", "DMG*D8*19711303*F"), "segment 20 (DMG)"),  # pyx12: invalid date
    (("N4*Denver*CO*80203~\nDMG*D8*19710203", "N4*Denver*CO*06103~\nDMG*D8*19710203"),
     "segment 15 (INS)"),  # the import's own check: a ZIP outside the state
    (("HD*021**HLT*MEDICAID STATE PLAN~\nDTP*348*D8*20260101~\nSE", "HD*021**HLT*GOLD PLAN~\nDTP*348*D8*20260101~\nSE"),
     "segment 21 (HD)"),
])
def test_a_malformed_834_is_refused_naming_the_segment_and_imports_nothing(world, change, field):
    before = _members(world)
    text = build_834([Enrollee("Q800001"), Enrollee("Q800002", birth_date=dt.date(1971, 2, 3))])
    assert text.count(change[0]) == 1
    with pytest.raises(InvalidInput) as refused:
        _import(world, text.replace(*change))
    assert refused.value.field == field, (refused.value.field, str(refused.value))
    assert "19711303" not in str(refused.value) and "nothing was imported" in str(refused.value)
    assert _members(world) == before and _member(world, "Q800001") is None
