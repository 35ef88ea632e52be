"""Member visibility through the member repository (``nemt.store.visibility.members``): a member an actor may not see
is answered exactly like a member that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.services import members
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import NotFound


def _actor(uow, username):
    return actor_of(uow.users.by_username(username))


def _not_found(uow, actor, key) -> tuple[str, str | None, str | None]:
    with pytest.raises(NotFound) as err:
        members.get_member(uow, actor, key)
    return err.value.message, err.value.field, err.value.rule


def test_hidden_member_is_answered_like_an_unknown_one(demo):
    with demo() as uow:
        member = uow.members.by_medicaid_id("CO", "D100001")
        provider, ct_agent = _actor(uow, "provider"), _actor(uow, "ct-agent")
        assert uow.members.visible(provider, member.key) is None
        assert uow.members.visible(_actor(uow, "agent"), member.key).id == member.id
        unknown = _not_found(uow, provider, "no-such-key")
        assert _not_found(uow, provider, member.key) == unknown
        assert _not_found(uow, ct_agent, member.key) == unknown


def test_search_is_scoped_by_the_actor(demo):
    with demo() as uow:
        member = uow.members.by_medicaid_id("CO", "D100002")
        born, last = member.birth_date, member.last_name
        agent, ct_agent = _actor(uow, "agent"), _actor(uow, "ct-agent")
        assert member.id in [m.id for m in uow.members.by_name_and_birth_date("CO", last, None, born, agent)]
        assert uow.members.by_name_and_birth_date(None, last, None, born, ct_agent) == []
        assert uow.members.with_medicaid_id(_actor(uow, "admin"), ["CO"], "D100002")[0].id == member.id


def test_facility_finds_by_exact_id_only(demo):
    """A facility may find a member by exact ID to book an urgent ride, not by name, and cannot read the record."""
    with demo() as uow:
        facility = _actor(uow, "facility")
        member = uow.members.by_medicaid_id("CO", "D100003")
        born, last = member.birth_date, member.last_name
        [found] = members.find_members(uow, facility, medicaid_id="d100003 ")
        assert found.id == member.id
        assert members.find_members(uow, facility, last_name=last, birth_date=born) == []
        assert members.find_members(uow, facility, last_name=last, birth_date=born + dt.timedelta(days=1)) == []
        with pytest.raises(NotFound):
            members.get_member(uow, facility, member.key)
