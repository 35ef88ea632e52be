"""Eligibility with the payer: the 270 inquiry, the 271 answer, and the 834 enrollment file.

A Colorado member must be "receiving Medicaid State Plan/Title XIX coverage on the date of service" and not only in
the groups the manual excludes (Health First Colorado NEMT Billing Manual — Member Eligibility). Our member table
says what the last eligibility file said; the payer says what holds today:

- :func:`inquiry` writes a 270 for a member and date of service (:mod:`nemt.billing.x12_270`), records it
  (``eligibility_checks``, status ``sent``) and hands it to the transport. No payer is reachable from here, so the
  transport is a file drop (:class:`FileDropTransport`, the directory ``NEMT_EDI_OUTBOX``); a clearinghouse
  connection is another :class:`EligibilityTransport`.
- :func:`read_271` reads the payer's 271 (:mod:`nemt.billing.x12_271`) and records each answer on its inquiry, by the
  trace number: active or not on the date, the plans, or the payer's reject reasons. All answers of a file or none.
- :func:`payer_coverage` is what booking reads: when the payer answered for the member and date, its active plans
  replace the member table's coverage for that date in the decision, so the decision's own Member Eligibility rule
  (covering and excluded plans of the policy) decides on the payer's word.
- :func:`import_834` reads an 834 (:mod:`nemt.billing.x12_834`, checked by pyx12) into members and coverage spans
  with the eligibility-file import's checks and writing (:func:`nemt.services.members.eligibility.read_rows`,
  :func:`~nemt.services.members.eligibility.store_members`): all members or none.

Every read and change of a member is audited; the 270 is an ``export`` (a disclosure to the payer).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nemt import clock
from nemt.billing.x12_270 import EligibilityInquiry, Party, write_270
from nemt.billing.x12_271 import EligibilityAnswer, parse_271
from nemt.billing.x12_834 import EnrolledMember, parse_834
from nemt.billing.x12_ack import AckError
from nemt.domain import rides
from nemt.domain.actors import Actor
from nemt.domain.dates import local_date
from nemt.domain.decisions.words import plan_words
from nemt.geo import GeoError, lookup_zip
from nemt.policy import Policy, load_policy
from nemt.services.claims.checks import refuse_unless_valid
from nemt.services.claims.common import GS_COUNTER, ISA_COUNTER
from nemt.services.members.eligibility import ImportResult, read_rows, store_members
from nemt.services.members.lookup import visible_member
from nemt.services.platform import audit
from nemt.services.platform.csv_files import RowReader
from nemt.services.platform.errors import Forbidden, ImportRejected, InvalidInput
from nemt.services.platform.permissions import Action, require
from nemt.settings import get_settings
from nemt.store.eligibility_models import EligibilityCheck
from nemt.store.models import Member

__all__ = ["EligibilityTransport", "FileDropTransport", "InquiryResult", "ResponseResult", "import_834", "inquiry",
           "payer_coverage", "read_271", "with_payer_answer"]

RULE_270 = "005010X279A1 eligibility inquiry"
RULE_271 = "005010X279A1 eligibility response (structure check: pyx12 4.0 has no 005010X279A1 map)"
RULE_834 = "005010X220A1 benefit enrollment"
TRACE_COUNTER = "eligibility-trace"
DEFAULT_OUTBOX = Path("var") / "edi" / "outbox"


class EligibilityTransport(Protocol):
    """Where a 270 goes. ``send`` delivers one interchange under a file name and returns where it went (a path, a
    clearinghouse's submission id); it raises OSError when it could not deliver, and then nothing is recorded."""

    def send(self, name: str, text: str) -> str: ...


@dataclass(frozen=True)
class FileDropTransport:
    """The file drop: each 270 is written (atomically, ASCII) into ``directory``, which a clearinghouse's agent
    collects; the payer's 271s come back by ``nemt eligibility read-271``."""

    directory: Path

    def send(self, name: str, text: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / name
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".270-")
        try:
            with os.fdopen(fd, "w", encoding="ascii", newline="") as out:
                out.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(target)


def default_transport() -> EligibilityTransport:
    return FileDropTransport(get_settings().edi_outbox or DEFAULT_OUTBOX)


@dataclass(frozen=True)
class InquiryResult:
    trace: str
    date_of_service: dt.date
    text: str = field(repr=False)  # the 270 holds member data: kept out of reprs (logs, tracebacks)
    location: str = ""


# --- the 270 ----------------------------------------------------------------------------------------------------


def _parties(policy: Policy) -> tuple[Party, Party, str]:
    """The payer (the program's X12 payer), the information receiver (the broker, else the platform) and TRN03."""
    if not policy.has("x12.payer_id"):
        raise InvalidInput(f"the {policy.code} program has no X12 payer to ask", field="member", rule=RULE_270)
    payer = Party(str(policy.get("x12.payer_name")), str(policy.get("x12.payer_id")))
    receiver_id = str(policy.get("payers.broker_receiver_id")) if policy.has("payers.broker_receiver_id") \
        else f"NEMT{policy.code}"
    name = str(policy.get("administration.broker_name")) if policy.has("administration.broker_name") \
        else f"NEMT {policy.code}"
    return payer, Party(name.upper(), receiver_id, "SV"), ("9" + receiver_id + "0" * 9)[:10]


def inquiry(uow, actor: Actor, member_key: str, date_of_service: dt.date, *,
            transport: EligibilityTransport | None = None) -> InquiryResult:
    """Write a 270 for the member and date of service, record it and hand it to the transport (a file drop by
    default). Nothing is recorded when the transport fails."""
    require(actor, Action.ELIGIBILITY_CHECK)
    member = visible_member(uow, actor, member_key)
    policy = load_policy(member.program)
    payer, receiver, originator = _parties(policy)
    now = clock.now()
    icn, gcn = uow.control_numbers.next(ISA_COUNTER), uow.control_numbers.next(GS_COUNTER)
    trace = f"{member.program}{uow.control_numbers.next(TRACE_COUNTER):010d}"
    question = EligibilityInquiry(trace, member.medicaid_id, member.last_name, member.first_name, member.birth_date,
                                  date_of_service, payer, receiver)
    text = write_270(question, originator=originator, sender=receiver.identifier,
                     receiver=str(policy.get("x12.receiver_id")), interchange_control_number=icn,
                     group_control_number=gcn, created_at=now.astimezone(policy.time_zone))
    uow.eligibility.add(EligibilityCheck(trace=trace, member_id=member.id, program=member.program,
                                         date_of_service=date_of_service, interchange_control_number=icn,
                                         sent_at=now, sent_by=actor.user_id))
    audit.record(uow, actor, "export", "eligibility-inquiry", member.id, trace=trace,
                 date_of_service=date_of_service.isoformat())
    transport = transport or default_transport()
    location = transport.send(f"270-{trace}.x12", text)
    try:
        uow.commit()
    except BaseException:
        if isinstance(transport, FileDropTransport):  # not recorded: take the dropped file back
            Path(location).unlink(missing_ok=True)
        raise
    return InquiryResult(trace, date_of_service, text, location)


# --- the 271 ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseResult:
    """One answer recorded: the inquiry's trace, the member's key, the date, and what the payer said."""

    trace: str
    member: str
    date_of_service: dt.date
    status: str  # answered | rejected | incomplete
    active: bool | None
    plans: tuple[str, ...]
    reasons: tuple[str, ...]


def _refused(exc: AckError, what: str, rule: str, nothing: str = "nothing was recorded") -> InvalidInput:
    return InvalidInput(f"the {what} was refused; {nothing}: {exc.message}", field=exc.path, rule=rule)


def _answer_check(uow, actor: Actor, answer: EligibilityAnswer, check: EligibilityCheck | None) -> Member:
    """The member of the inquiry an answer names, or a refusal naming the answer's segment."""
    where = f"segment {answer.trace_position} (TRN)"
    if check is None or not actor.sees_program(check.program):
        raise InvalidInput("TRN02 names no eligibility inquiry of ours; nothing was recorded", field=where,
                           rule=RULE_271)
    if check.status != "sent":
        raise InvalidInput("this inquiry was answered already; nothing was recorded", field=where, rule=RULE_271)
    member = uow.members.by_medicaid_id(check.program, answer.medicaid_id)
    if member is None or member.id != check.member_id or not uow.members.may_see(actor, member.id):
        raise InvalidInput("the member ID (NM109) is not the one our inquiry asked about; nothing was recorded",
                           field=f"segment {answer.position} (HL)", rule=RULE_271)
    return member


def _record(check: EligibilityCheck, answer: EligibilityAnswer, policy: Policy, digest: str) -> None:
    day = check.date_of_service
    check.answered_at, check.response_sha256 = clock.now(), digest
    if answer.rejections:
        check.status, check.active, check.plans, check.reasons = "rejected", None, [], list(answer.reasons())
        return
    if not answer.plans_on(day) and any(b.active and b.plan is None and b.covers(day) for b in answer.benefits):
        # Active, but in no named plan: whether it is the Medicaid State Plan is unknown, so booking does not use it.
        check.status, check.active, check.plans = "incomplete", None, []
        check.reasons = ["the payer reported active coverage without naming the benefit plan; the member table "
                         "decides"]
        return
    check.status = "answered"
    check.plans = sorted(answer.plans_on(day))
    check.active = answer.active_on(day, policy.get("eligibility.covering_plans"))
    excluded = answer.excluded_on(day, policy.get("eligibility.excluded_plans"))
    check.reasons = [f"{plan_words(plan)} does not include NEMT ({policy.cite('eligibility')})" for plan in excluded]


def read_271(uow, actor: Actor, text: str) -> list[ResponseResult]:
    """Record the payer's answers: every answer of the file on its inquiry, or none (the refusal names the
    segment)."""
    require(actor, Action.ELIGIBILITY_CHECK)
    try:
        answers = parse_271(text)
    except AckError as exc:
        raise _refused(exc, "271", RULE_271) from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    checks = uow.eligibility.by_traces([a.trace for a in answers])
    results = []
    for answer in answers:
        check = checks.get(answer.trace)
        member = _answer_check(uow, actor, answer, check)
        assert check is not None  # _answer_check refused a missing one
        _record(check, answer, load_policy(check.program), digest)
        audit.record(uow, actor, "update", "eligibility-response", member.id, trace=check.trace,
                     status=check.status, date_of_service=check.date_of_service.isoformat())
        results.append(ResponseResult(check.trace, member.key, check.date_of_service, check.status, check.active,
                                      tuple(check.plans), tuple(check.reasons)))
    uow.commit()
    return results


def payer_coverage(uow, member: Member, day: dt.date) -> tuple[rides.CoverageSpan, ...] | None:
    """The payer's word on the member's coverage on ``day`` (its newest answered 271), as coverage spans of that
    day; None when the payer was not asked or did not answer."""
    check = uow.eligibility.answer_for(member.id, day)
    if check is None:
        return None
    return tuple(rides.CoverageSpan(plan=plan, start=day, end=day) for plan in check.plans)


def with_payer_answer(uow, member: Member, request: rides.RideRequest, policy: Policy) -> rides.RideRequest:
    """The ride request with the payer's answer for the date of service in place of the member table's coverage
    (Member Eligibility: "receiving Medicaid State Plan/Title XIX coverage on the date of service"), when the payer
    answered; else the request unchanged."""
    day = local_date(request.trip.appointment_at, policy.time_zone)
    spans = payer_coverage(uow, member, day)
    if spans is None:
        return request
    return dataclasses.replace(request, member=dataclasses.replace(request.member, coverage=spans))


# --- the 834 ----------------------------------------------------------------------------------------------------


def _county(zip_code: str) -> str:
    try:
        return lookup_zip(zip_code).county
    except GeoError:
        return ""  # the import's ZIP check names the field


def _rows(members: list[EnrolledMember]) -> list[RowReader]:
    """Each member's coverage spans as rows of the eligibility file (line = the member's INS segment)."""
    out = []
    for m in members:
        person = {"medicaid_id": m.medicaid_id, "first_name": m.first_name, "last_name": m.last_name,
                  "birth_date": m.birth_date, "address_line": m.address_line, "city": m.city, "state": m.state,
                  "zip": m.zip, "county": _county(m.zip), "phone": m.phone, "sex": m.sex}
        for span in m.spans:
            out.append(RowReader(m.position, {**person, "plan": span.plan, "coverage_start": span.start.isoformat(),
                                              "coverage_end": span.end.isoformat() if span.end else ""}))
    return out


def import_834(uow, actor: Actor, text: str, program: str, filename: str = "834") -> ImportResult:
    """Create or update the members and coverage spans of an 834: all members or none. pyx12 checks the file first;
    each member is checked as an eligibility-file row (the refusal names the member's INS segment). The same file
    twice changes nothing."""
    require(actor, Action.MEMBER_IMPORT)
    if not actor.sees_program(program):
        raise Forbidden(f"you administer the {actor.program} program, not {program}", field="program",
                        rule="program-based access")
    policy = load_policy(program)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if uow.members.file_imported(digest):
        return ImportResult(filename, digest, 0, 0, 0, unchanged=True)
    try:
        refuse_unless_valid(text, "834", RULE_834, nothing="nothing was imported")
        enrolled = parse_834(text)
    except AckError as exc:
        raise _refused(exc, "834", RULE_834, "nothing was imported") from None
    try:
        file = read_rows(filename, _rows(enrolled), policy)
    except ImportRejected as exc:
        first = exc.errors[0]
        raise InvalidInput(f"the member of this segment is refused ({first.field}: {first.reason}); nothing was "
                           f"imported", field=f"segment {first.line} (INS)", rule="all-or-nothing import") from None
    created, updated = store_members(uow, actor, policy, file, digest, source="834-import")
    uow.commit()
    return ImportResult(filename, digest, file.rows, created, updated, unchanged=False)
