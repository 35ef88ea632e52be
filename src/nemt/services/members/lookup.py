"""Finding a member and reading a member's record; both are audited reads."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nemt.domain.actors import Actor, Role
from nemt.policy import load_policy, program_codes
from nemt.services.platform import audit, throttle
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Coverage, Member


def _by_medicaid_id(uow, actor: Actor, medicaid_id: str) -> list[Member]:
    programs = [actor.program] if actor.program else list(program_codes())
    if not any(load_policy(p).valid_medicaid_id(medicaid_id) for p in programs):
        policy = load_policy(programs[0])
        raise InvalidInput(f"a Medicaid ID is one letter and six digits (e.g. "
                           f"{policy.get('identifiers.medicaid_id_example')})",
                           field="medicaid_id", rule=policy.cite("identifiers"))
    # A facility may find a member of its program by exact ID to book an urgent ride; otherwise the usual
    # visibility applies.
    scope = None if actor.role == Role.FACILITY_SCHEDULER else actor
    return uow.members.with_medicaid_id(scope, programs, medicaid_id)


# At most this many members are listed for one search (an input bound: a longer list is no help on a call).
SEARCH_LIMIT = 50
_PHONE = re.compile(r"^[\d\s()\-.+/]+$")
_DATES = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"))
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|['.-])*$")
QUERY_RULE = "member search: Medicaid ID, telephone number, name, or name and birth date"


class Found(list[Member]):
    """The members found (at most ``SEARCH_LIMIT``); ``more``: others matched too (the search should be narrower);
    ``by``: what the search was read as (``medicaid_id``, ``phone``, ``name``, ``name+birth_date``)."""

    more: bool = False
    by: str = ""


@dataclass(frozen=True)
class MemberQuery:
    """What one search box holds, read: exactly one of a Medicaid ID, a telephone number's digits, or names (last
    name, first name or None: each a prefix) with an optional birth date."""

    medicaid_id: str | None = None
    phone: str | None = None
    names: tuple[tuple[str, str | None], ...] = ()
    birth_date: dt.date | None = None

    @property
    def by(self) -> str:
        if self.medicaid_id:
            return "medicaid_id"
        if self.phone:
            return "phone"
        return "name+birth_date" if self.birth_date else "name"


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="query", rule=QUERY_RULE)


def _date_of(token: str) -> dt.date | None:
    for number, pattern in enumerate(_DATES):
        match = pattern.match(token)
        if match:
            a, b, c = (int(g) for g in match.groups())
            try:
                return dt.date(a, b, c) if number == 0 else dt.date(c, a, b)  # ISO, or month/day/year
            except ValueError:
                raise _refuse("the birth date is not a date of the calendar (write it 1956-03-02 or "
                              "03/02/1956)") from None
    return None


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) not in (7, 10):
        raise _refuse("a telephone number has 10 digits with the area code, or 7 without")
    return digits


def _name_splits(tokens: list[str]) -> tuple[tuple[str, str | None], ...]:
    """Every reading of the name words as (last name, first name): "smith j" and "john smith" alike."""
    if len(tokens) == 1:
        return ((tokens[0], None),)
    splits = []
    for i in range(1, len(tokens)):
        splits.append((" ".join(tokens[:i]), " ".join(tokens[i:])))
        splits.append((" ".join(tokens[i:]), " ".join(tokens[:i])))
    return tuple(splits)


def read_query(text: str, medicaid_id_valid) -> MemberQuery:
    """The one search box read: a Medicaid ID (``medicaid_id_valid``), a telephone number (any punctuation), a
    partial name ("smi", "smith j", "smith, john"), or a name with a birth date ("smith 1956-03-02"). Refusals name
    the field ``query`` and never quote what was typed."""
    text = " ".join((text or "").split())
    if not text:
        raise _refuse("type a Medicaid ID, a telephone number, or a name")
    compact = text.replace(" ", "").upper()
    if medicaid_id_valid(compact):
        return MemberQuery(medicaid_id=compact)
    if _PHONE.match(text) and _date_of(text) is None:
        return MemberQuery(phone=_phone_digits(text))
    last_first = [part.strip() for part in text.split(",", 1)] if "," in text else None
    words = [w for w in re.split(r"[\s,]+", text) if w]
    dates = [d for d in map(_date_of, words) if d is not None]
    if len(dates) > 1:
        raise _refuse("give one birth date")
    names = [w for w in words if _date_of(w) is None]
    if not names:
        raise _refuse("give the member's name with the birth date")
    if not all(_NAME.match(w) for w in names):
        raise _refuse("a name is letters (with ' . or -); a Medicaid ID is one letter and six digits")
    if last_first is not None:
        first_words = [w for w in last_first[1].split() if _date_of(w) is None]
        splits: tuple[tuple[str, str | None], ...] = ((last_first[0], " ".join(first_words) or None),)
    else:
        splits = _name_splits(names)
    if min(len(last) for last, _ in splits) < 2 and len(names) == 1:
        raise _refuse("type at least two letters of the last name")
    return MemberQuery(names=splits, birth_date=dates[0] if dates else None)


def _programs(actor: Actor) -> list[str]:
    return [actor.program] if actor.program else list(program_codes())


def _by_query(uow, actor: Actor, query: MemberQuery) -> Found:
    programs = _programs(actor)
    if query.medicaid_id:
        found = Found(_by_medicaid_id(uow, actor, query.medicaid_id))
    elif query.phone:
        found = Found(uow.members.with_phone(actor, programs, query.phone, SEARCH_LIMIT + 1))
    else:
        found = Found(uow.members.with_name(actor, programs, query.names, query.birth_date, SEARCH_LIMIT + 1))
    found.more = len(found) > SEARCH_LIMIT
    del found[SEARCH_LIMIT:]
    found.by = query.by
    return found


def find_members(uow, actor: Actor, *, medicaid_id: str | None = None, last_name: str | None = None,
                 first_name: str | None = None, birth_date: dt.date | None = None,
                 query: str | None = None) -> Found:
    """Find members by Medicaid ID, or by last name and birth date (first name optional), or by what one search box
    holds (``query``: see :func:`read_query`). The actor's visibility applies (a facility finds a member of its
    program only by exact Medicaid ID); the look-ups are throttled and every member listed is an audited read."""
    require(actor, Action.MEMBER_SEARCH)
    if query is not None:
        found = _by_query(uow, actor, read_query(query, lambda v: any(
            load_policy(p).valid_medicaid_id(v) for p in _programs(actor))))
    elif medicaid_id:
        found = Found(_by_medicaid_id(uow, actor, medicaid_id.strip().upper()))
        found.by = "medicaid_id"
    elif last_name and birth_date:
        found = Found(uow.members.by_name_and_birth_date(actor.program, last_name, first_name, birth_date, actor))
        found.by = "name+birth_date"
    else:
        raise InvalidInput("give a Medicaid ID, or a last name and a birth date", field="medicaid_id",
                           rule="member search")
    throttle.member_lookups(uow, actor, [m.id for m in found])
    audit.record(uow, actor, "search", "member", None, by=found.by, results=len(found), more=found.more)
    audit.record_members(uow, actor, "read", "member", [m.id for m in found], via="search")
    uow.commit()
    return found


def visible_member(uow, actor: Actor, key: str) -> Member:
    """The member with ``key`` if the actor may see it. A member the actor may not see is reported exactly like one
    that does not exist (the answer does not confirm that the member exists)."""
    member = uow.members.visible(actor, key)
    if member is None:
        raise NotFound("no such member", field="member", rule="member look-up")
    return member


def get_member(uow, actor: Actor, key: str) -> Member:
    require(actor, Action.MEMBER_READ)
    member = visible_member(uow, actor, key)
    throttle.member_lookups(uow, actor, [member.id])
    audit.record(uow, actor, "read", "member", member.id)
    uow.commit()
    return member


def coverage_on(member: Member, day: dt.date) -> Coverage | None:
    """The coverage span in force on ``day`` (None when there is none)."""
    for span in member.coverage:
        if span.start <= day and (span.end is None or span.end >= day):
            return span
    return None
