"""The ``nemt bill`` input contract: one billing provider's Standard Trip Log legs plus meals/lodging entries.

``parse_bill(text_or_obj)`` reads the program the input names (``program``: one of :func:`nemt.policy.program_codes`
whose policy states claim rules) and parses the rest with that program's policy; ``parse_bill_input(text_or_obj,
policy)`` parses with a given policy (the input must name its program). Both return a
:class:`~nemt.billing.trip_log.TripLog` or raise :class:`~nemt.contracts.ContractError` naming the bad field by its
path (``legs[2].loaded_miles``, ``provider.npi``). Messages name the rule, never the value of a member field (names,
IDs, birth dates).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar, overload

from nemt.billing.trip_log import (
    ANCILLARY_KINDS,
    ANCILLARY_PERSONS,
    ESCORT_ROLES,
    LEG_STATUSES,
    PASSENGER_REASONS,
    PASSENGER_RELATIONS,
    TRIP_CONFIRMERS,
    AdditionalPassenger,
    AncillaryEntry,
    BillingProvider,
    Escort,
    Member,
    Stop,
    TransportedPerson,
    TripLog,
    TripLogLeg,
)
from nemt.contracts import ContractError, format_path
from nemt.domain.identifiers import valid_npi
from nemt.policy import Policy, PolicyError, load_policy, program_codes

__all__ = ["CLAIM_RULE_KEYS", "missing_claim_rules", "parse_bill", "parse_bill_input"]

# What the claim rules (nemt.billing.claim_rules) and the provider's contract read from a program's policy, besides
# the keys every program has; and per mode, the place of service of its lines. A program without them (Connecticut's
# notice states no billing rules) bills no claims: `nemt bill` refuses it by name.
CLAIM_RULE_KEYS = ("claims.provider_type", "claims.specialty_broker_area", "claims.specialty_other_counties",
                   "mileage_review.codes", "mileage_review.max_units_without_review",
                   "mileage_review.attachment_fields", "escort.adult_age", "escort.hcpcs", "ancillary.units_per_day",
                   "ancillary.place_of_service", "fee_schedule.file")

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_MISSING = object()
T = TypeVar("T")

Path = tuple[str | int, ...]


class _Reader:
    """Typed access to one JSON object, raising ContractError with the field's path."""

    def __init__(self, obj: Any, path: Path):
        if not isinstance(obj, Mapping):
            raise ContractError(format_path(path) or "(input)", "must be an object")
        self.obj, self.path = obj, path

    def at(self, key: str | int) -> str:
        return format_path(self.path + (key,))

    def raw(self, key: str, *, optional: bool = False, default: Any = None) -> Any:
        if key not in self.obj:
            if optional:
                return default
            raise ContractError(self.at(key), "required field missing")
        return self.obj[key]

    @overload
    def string(self, key: str, *, nullable: Literal[False] = False, optional: Literal[False] = False) -> str: ...
    @overload
    def string(self, key: str, *, nullable: bool = False, optional: bool = False) -> str | None: ...

    def string(self, key: str, *, nullable: bool = False, optional: bool = False) -> str | None:
        """A string; a blank one is well-formed (acceptance README, reading 23: it is how a trip log that lacks the
        item is written), and the rules decide what a blank item means."""
        value = self.raw(key, optional=optional, default=_MISSING)
        if value is _MISSING:
            return None
        if value is None:
            if nullable:
                return None
            raise ContractError(self.at(key), "must be a string, got null")
        if not isinstance(value, str):
            raise ContractError(self.at(key), f"must be a string, got {_json_type(value)}")
        return value

    def boolean(self, key: str, *, optional: bool = False, default: bool = False) -> bool:
        value = self.raw(key, optional=optional, default=default)
        if not isinstance(value, bool):
            raise ContractError(self.at(key), f"must be true or false, got {_json_type(value)}")
        return value

    def integer(self, key: str, *, minimum: int | None = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContractError(self.at(key), f"must be a whole number, got {_json_type(value)}")
        if minimum is not None and value < minimum:
            raise ContractError(self.at(key), f"must be {minimum} or more")
        return value

    @overload
    def choice(self, key: str, vocabulary: Sequence[str], *, nullable: Literal[False] = False) -> str: ...
    @overload
    def choice(self, key: str, vocabulary: Sequence[str], *, nullable: bool = False) -> str | None: ...

    def choice(self, key: str, vocabulary: Sequence[str], *, nullable: bool = False) -> str | None:
        value = self.raw(key)
        if value is None and nullable:
            return None
        if not isinstance(value, str) or value not in vocabulary:
            allowed = ", ".join(vocabulary) + (", null" if nullable else "")
            raise ContractError(self.at(key), f"outside its vocabulary (allowed: {allowed})")
        return value

    def date(self, key: str) -> dt.date:
        value = self.raw(key)
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise ContractError(self.at(key), "must be a date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ContractError(self.at(key), "is not a calendar date") from None

    def time(self, key: str, *, optional: bool = False) -> dt.time | None:
        value = self.raw(key, optional=optional)
        if value is None:
            return None
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise ContractError(self.at(key), 'must be a local time "HH:MM" or null')
        return dt.time.fromisoformat(value)

    @overload
    def child(self, key: str, *, nullable: Literal[False] = False, optional: Literal[False] = False) -> _Reader: ...
    @overload
    def child(self, key: str, *, nullable: bool = False, optional: bool = False) -> _Reader | None: ...

    def child(self, key: str, *, nullable: bool = False, optional: bool = False) -> _Reader | None:
        value = self.raw(key, optional=optional)
        if value is None and (nullable or optional):
            return None
        return _Reader(value, self.path + (key,))

    def items(self, key: str, parse: Callable[[Any, Path], T]) -> tuple[T, ...]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise ContractError(self.at(key), f"must be a list, got {_json_type(value)}")
        return tuple(parse(item, self.path + (key, i)) for i, item in enumerate(value))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _npi(r: _Reader, key: str) -> str:
    value = r.string(key)
    if not valid_npi(value):
        raise ContractError(r.at(key), "must be an NPI: ten digits whose last is the Luhn check digit (prefix 80840)")
    return value


@overload
def _medicaid_id(r: _Reader, key: str, policy: Policy, *, nullable: Literal[False] = False) -> str: ...
@overload
def _medicaid_id(r: _Reader, key: str, policy: Policy, *, nullable: bool = False) -> str | None: ...


def _medicaid_id(r: _Reader, key: str, policy: Policy, *, nullable: bool = False) -> str | None:
    value = r.string(key, nullable=nullable)
    if value is None:
        return None
    if not policy.valid_medicaid_id(value):
        raise ContractError(
            r.at(key),
            "must be a Health First Colorado ID: one letter and six digits "
            f"(e.g. {policy.get('identifiers.medicaid_id_example', 'A123456')})",
        )
    return value


def _member(r: _Reader, policy: Policy) -> Member:
    return Member(
        medicaid_id=_medicaid_id(r, "medicaid_id", policy),
        name=r.string("name"),
        birth_date=r.date("birth_date"),
        at_risk_adult=r.boolean("at_risk_adult", optional=True),
    )


def _stop(r: _Reader) -> Stop:
    return Stop(
        address=r.string("address"),
        time=r.time("time"),
        scheduled_time=r.time("scheduled_time", optional=True),
    )


def _service_levels(policy: Policy, mode: str) -> list[str]:
    table = policy.mode(mode)
    levels = table.get("service_levels") or table.get("mileage_codes") or {}
    return list(levels)


def _leg(obj: Any, path: Path, policy: Policy) -> TripLogLeg:
    r = _Reader(obj, path)
    leg_id = r.string("leg_id")
    member = _member(r.child("member"), policy)
    transported = r.child("transported_person", optional=True, nullable=True)
    transported_person = None
    if transported is not None:
        transported_person = TransportedPerson(
            name=transported.string("name"),
            medicaid_id=_medicaid_id(transported, "medicaid_id", policy, nullable=True),
        )
    mode = r.choice("mode", list(policy.modes))
    levels = _service_levels(policy, mode)
    service_level: str | None
    if levels:
        service_level = r.choice("service_level", levels)
    else:
        service_level = r.choice("service_level", [], nullable=True)

    def escort(item: Any, p: Path) -> Escort:
        e = _Reader(item, p)
        return Escort(name=e.string("name"), role=e.choice("role", ESCORT_ROLES))

    def passenger(item: Any, p: Path) -> AdditionalPassenger:
        a = _Reader(item, p)
        reason = a.raw("reason", optional=True)
        if reason is not None:
            reason = a.choice("reason", PASSENGER_REASONS)
        return AdditionalPassenger(
            name=a.string("name"), age=a.integer("age"), relation=a.choice("relation", PASSENGER_RELATIONS),
            reason=reason,
        )

    return TripLogLeg(
        leg_id=leg_id,
        member=member,
        transported_person=transported_person,
        date_of_service=r.date("date_of_service"),
        rendering_provider_npi=_npi(r, "rendering_provider_npi"),
        mode=mode,
        service_level=service_level,
        vehicle_id=r.string("vehicle_id", nullable=True),
        driver=r.string("driver", nullable=True),
        pickup=_stop(r.child("pickup")),
        dropoff=_stop(r.child("dropoff")),
        loaded_miles=r.integer("loaded_miles"),
        status=r.choice("status", LEG_STATUSES),
        member_in_vehicle=r.boolean("member_in_vehicle"),
        escorts=r.items("escorts", escort),
        additional_passengers=r.items("additional_passengers", passenger),
        shared_ride_group=r.string("shared_ride_group", nullable=True),
        identity_verified=r.boolean("identity_verified"),
        trip_confirmed_by=r.choice("trip_confirmed_by", TRIP_CONFIRMERS, nullable=True),
        attachment_25mi=r.boolean("attachment_25mi"),
        wait_minutes=r.integer("wait_minutes"),
        metered=r.boolean("metered", optional=True, default=False),
    )


def _entry(obj: Any, path: Path, policy: Policy) -> AncillaryEntry:
    r = _Reader(obj, path)
    person = r.choice("for", ANCILLARY_PERSONS)
    escort_name = r.string("escort_name") if person == "escort" else r.string("escort_name", optional=True)
    return AncillaryEntry(
        entry_id=r.string("entry_id"),
        member=_member(r.child("member"), policy),
        date_of_service=r.date("date_of_service"),
        kind=r.choice("kind", ANCILLARY_KINDS),
        person=person,
        escort_name=escort_name,
        charged=r.boolean("charged"),
        rendering_provider_npi=_npi(r, "rendering_provider_npi"),
        # Optional beyond the acceptance contract: the receipt's amount (paid up to the per diem) and where it was
        # incurred (Ancillary Services: Meals/Lodging) — as the platform's recorded expenses give them.
        amount=_amount(r, "amount"),
        out_of_state=r.boolean("out_of_state", optional=True),
        inpatient_stay=r.boolean("inpatient_stay", optional=True),
    )


def _amount(r: _Reader, key: str) -> Decimal | None:
    """An optional amount in dollars: a JSON number or a decimal string, not negative."""
    value = r.raw(key, optional=True)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InvalidOperation
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise ContractError(r.at(key), "must be an amount in dollars (0 or more)") from None
    return amount


def _provider(r: _Reader, policy: Policy) -> BillingProvider:
    provider_type = r.string("provider_type")
    if provider_type != policy.get("claims.provider_type"):
        raise ContractError(
            r.at("provider_type"), f"outside its vocabulary (allowed: {policy.get('claims.provider_type')})"
        )
    specialties = [policy.get("claims.specialty_broker_area"), policy.get("claims.specialty_other_counties")]
    specialty = r.choice("specialty", specialties)
    return BillingProvider(
        npi=_npi(r, "npi"),
        name=r.string("name"),
        provider_type=provider_type,
        specialty=specialty,
        taxonomy=r.string("taxonomy", optional=True),
    )


def missing_claim_rules(policy: Policy) -> list[str]:
    """The keys of :data:`CLAIM_RULE_KEYS` and the modes' ``place_of_service`` the program's policy lacks."""
    missing = [key for key in CLAIM_RULE_KEYS if not policy.has(key)]
    return missing + [f"modes.{mode}.place_of_service" for mode in policy.get("modes")
                      if not policy.has(f"modes.{mode}.place_of_service")]


def _decoded(source: str | bytes | Mapping[str, Any]) -> Any:
    if not isinstance(source, (str, bytes)):
        return source
    try:
        return json.loads(source)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ContractError("(input)", f"not JSON{where}") from None


def parse_bill(source: str | bytes | Mapping[str, Any]) -> tuple[TripLog, Policy]:
    """The ``nemt bill`` input parsed with the claim rules of the program it names, and that program's policy."""
    obj = _decoded(source)
    program = _Reader(obj, ()).choice("program", program_codes())
    try:
        policy = load_policy(program)
    except PolicyError as exc:
        raise ContractError("program", f"the {program} program's policy file cannot be read ({exc})") from None
    missing = missing_claim_rules(policy)
    if missing:
        raise ContractError("program", f"{policy.get('program.name')} ({program}) has no claim rules in its policy "
                                       f"file (it lacks {', '.join(missing[:3])}"
                                       f"{' and more' if len(missing) > 3 else ''}), and another program's rules are "
                                       "never applied to its trips")
    return parse_bill_input(obj, policy), policy


def parse_bill_input(source: str | bytes | Mapping[str, Any], policy: Policy) -> TripLog:
    """Parse the ``nemt bill`` input (JSON text or an already decoded object) into a :class:`TripLog` with the
    rules of ``policy``, whose program the input must name."""
    r = _Reader(_decoded(source), ())
    program = r.choice("program", program_codes())
    if program != policy.code:
        raise ContractError("program", f"names {program}, but these are the {policy.code} program's claim rules")
    provider = _provider(r.child("provider"), policy)
    legs = r.items("legs", lambda item, p: _leg(item, p, policy))
    ancillary = r.items("ancillary", lambda item, p: _entry(item, p, policy))
    # leg_id and entry_id share one namespace and are unique within the file.
    seen: set[str] = set()
    for i, leg in enumerate(legs):
        if leg.leg_id in seen:
            raise ContractError(format_path(("legs", i, "leg_id")), "duplicate id (must be unique within the file)")
        seen.add(leg.leg_id)
    for i, entry in enumerate(ancillary):
        if entry.entry_id in seen:
            raise ContractError(
                format_path(("ancillary", i, "entry_id")), "duplicate id (must be unique within the file)"
            )
        seen.add(entry.entry_id)
    return TripLog(program=program, provider=provider, legs=legs, ancillary=ancillary)
