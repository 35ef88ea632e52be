"""The agent's call (issue 16, point 4): one search box finds a member by Medicaid ID, telephone number (any
punctuation), partial name ("quil", "quillfeather j", "johanna quillfeather", "quillfeather, marcus") or name with
a birth date; the program and organization scoping, the audit trail and the bound on the list are those of
``find_members``. Both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nemt.services import members
from nemt.services.members.lookup import SEARCH_LIMIT
from nemt.services.platform.errors import InvalidInput
from nemt.store.models import AuditEvent, Coverage, Member
from tests.conftest import actor_for
from tests.web.helpers import sign_in

BORN = dt.date(1956, 3, 2)
# (program, medicaid_id, last, first, birth date, phone)
PEOPLE = [
    ("CO", "Q900001", "Quillfeather", "Johanna", BORN, "(303) 555-7788"),
    ("CO", "Q900002", "Quillfeather", "Marcus", dt.date(1961, 7, 9), "303.555.7789"),
    ("CO", "Q900003", "Quillon", "Ada", BORN, "555-7788"),
    ("CT", "Q900004", "Quillfeather", "Johanna", BORN, "(303) 555-7788"),
]


@pytest.fixture
def people(demo):
    keys = {}
    with demo() as uow:
        for program, mid, last, first, born, phone in PEOPLE:
            m = Member(program=program, medicaid_id=mid, first_name=first, last_name=last, birth_date=born,
                       address_line="100 Example St", city="Example City", state=program,
                       zip="80203" if program == "CO" else "06103", county="Denver" if program == "CO" else "Hartford",
                       phone=phone, residence="home")
            m.coverage.append(Coverage(plan="medicaid-state-plan" if program == "CO" else "HUSKY",
                                       start=dt.date(2025, 1, 1)))
            uow.session.add(m)
            uow.session.flush()
            keys[mid] = m.key
        uow.commit()
    return keys


def _ids(found) -> list[str]:
    return sorted(m.medicaid_id for m in found)


@pytest.mark.parametrize(("query", "expected", "by"), [
    ("Q900001", ["Q900001"], "medicaid_id"),
    (" q900002 ", ["Q900002"], "medicaid_id"),
    ("quil", ["Q900001", "Q900002", "Q900003"], "name"),
    ("QUILLFEATHER j", ["Q900001"], "name"),
    ("johanna quillfeather", ["Q900001"], "name"),
    ("Quillfeather, Marcus", ["Q900002"], "name"),
    ("quillfeather 1956-03-02", ["Q900001"], "name+birth_date"),
    ("quillfeather 03/02/1956", ["Q900001"], "name+birth_date"),
    ("quill 3/2/1956", ["Q900001", "Q900003"], "name+birth_date"),
    ("+1 (303) 555-7788", ["Q900001", "Q900003"], "phone"),  # the 7-digit number without area code too
    ("555 . 7788", ["Q900001", "Q900003"], "phone"),  # a local number: with any area code
    ("303-555-7789", ["Q900002"], "phone"),
    ("quillfeather 1961-07-10", [], "name+birth_date"),
    ("zzzzqx", [], "name"),
])
def test_one_box_finds_members(demo, people, query, expected, by):
    agent = actor_for(demo, "agent")
    with demo() as uow:
        found = members.find_members(uow, agent, query=query)
    assert _ids(found) == expected and found.by == by and found.more is False


@pytest.mark.parametrize(("query", "words"), [
    ("   ", "type a Medicaid ID"),
    ("q", "at least two letters"),
    ("12345", "10 digits"),
    ("303-555-77889", "10 digits"),
    ("quillfeather 1956-02-30", "not a date of the calendar"),
    ("1956-03-02", "name with the birth date"),
    ("quill 1956-03-02 1961-07-09", "one birth date"),
    ("qu%ll", "a name is letters"),
    ("qu_ll", "a name is letters"),
])
def test_what_cannot_be_read_is_refused_naming_the_field(demo, people, query, words):
    agent = actor_for(demo, "agent")
    with demo() as uow, pytest.raises(InvalidInput) as refused:
        members.find_members(uow, agent, query=query)
    assert refused.value.field == "query" and words in refused.value.message
    assert query.strip() == "" or query.strip() not in refused.value.message  # the text typed is never echoed


def test_each_program_and_organization_sees_its_own(demo, people):
    with demo() as uow:
        assert _ids(members.find_members(uow, actor_for(demo, "ct-agent"), query="quillfeather")) == ["Q900004"]
        # A facility finds only the members of the rides it booked by name or telephone (by exact ID: any).
        facility = actor_for(demo, "facility")
        assert members.find_members(uow, facility, query="quillfeather") == []
        assert members.find_members(uow, facility, query="303 555 7788") == []
        assert _ids(members.find_members(uow, facility, query="Q900001")) == ["Q900001"]


def test_every_member_listed_is_an_audited_read(demo, people):
    agent = actor_for(demo, "agent")
    with demo() as uow:
        before = uow.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
        found = sorted(m.id for m in members.find_members(uow, agent, query="+1 303 555 7788"))
    with demo() as uow:
        events = [(e.action, e.entity, e.member_id, dict(e.detail)) for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id))]
    searches = [detail for action, _, _, detail in events if action == "search"]
    assert len(searches) == 1 and searches[0]["by"] == "phone" and searches[0]["results"] == 2
    reads = sorted(member for action, entity, member, _ in events if action == "read" and entity == "member")
    assert reads == found and len(found) == 2
    assert all("555" not in str(detail) for *_, detail in events)  # what was typed is not in the trail


def test_a_long_list_is_cut_and_says_so(demo, people):
    with demo() as uow:
        for i in range(SEARCH_LIMIT + 2):
            m = Member(program="CO", medicaid_id=f"Q8{i:05d}", first_name="Pat", last_name=f"Quorra{i:03d}",
                       birth_date=BORN, state="CO", zip="80203", county="Denver")
            uow.session.add(m)
        uow.commit()
    with demo() as uow:
        found = members.find_members(uow, actor_for(demo, "agent"), query="quorra")
    assert len(found) == SEARCH_LIMIT and found.more is True
    assert [m.last_name for m in found] == sorted(m.last_name for m in found)


def test_the_search_page_opens_the_one_member_and_masks_ids_in_a_list(client, people):
    token = sign_in(client, "agent")
    one = client.post("/members/search", data={"csrf_token": token, "q": "quillfeather j 1956-03-02"},
                      follow_redirects=False)
    assert one.status_code == 303 and one.headers["location"] == f"/members/{people['Q900001']}"
    listed = client.post("/members/search", data={"csrf_token": token, "q": "quil"})
    assert listed.status_code == 200
    for mid in ("Q900001", "Q900002", "Q900003"):
        assert mid not in listed.text and f"Q•••{mid[-3:]}" in listed.text
        assert f'href="/members/{people[mid]}"' in listed.text
    refused = client.post("/members/search", data={"csrf_token": token, "q": "12345"})
    assert refused.status_code == 422 and "10 digits" in refused.text and 'aria-invalid="true"' in refused.text


def test_the_api_takes_the_one_box_too(client, token_for, people):
    headers = token_for("agent")
    found = client.post("/api/v1/members/search", json={"query": "quillfeather j"}, headers=headers)
    assert found.status_code == 200, found.text
    assert [m["key"] for m in found.json()] == [people["Q900001"]]
    refused = client.post("/api/v1/members/search", json={"query": "12345"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["field"] == "query"
