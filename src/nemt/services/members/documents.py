"""A member's documents on file (issue 16, point 3; the rules: ``nemt.domain.documents``).

- :func:`record_document` — a medical professional's written certification (its statements also go on the member's
  record, as :func:`nemt.services.rides.record_certification` puts them), the Verification Form for Transportation
  Services More Than 25 Miles (25 Mile or Longer Trips: the destination, recurring appointments or one, valid the
  policy's 90 days for recurring ones), or the Department's prior authorization (Train, Air and Out-of-State Travel:
  the modes or out-of-state travel it covers, its number, the dates it covers, who authorized it) — each with who
  signed it, the signature date and the signed document as a PDF, PNG or JPEG file kept in the database. Nothing is
  overwritten: a newer document supersedes an older one. The member's pending rides are then decided again with
  what is on file (``nemt.services.rides.on_file``) and each gets its notice; all of it or nothing. The broker's
  staff record every kind; a transportation provider records the verification form for its own members (it is the
  provider's to get it signed), which decides no ride again.
- :func:`member_documents` — the documents on file, each current, superseded or expired.
- :func:`document_file` — the file of one document, addressed by its opaque key under the member's.

Every read and change is in the audit trail, with keys, kinds, dates and the file's SHA-256 — never member data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nemt.domain import documents
from nemt.domain.actors import Actor
from nemt.domain.decisions.words import day_words, joined, mode_words, need_words
from nemt.domain.rides import Need
from nemt.policy import Policy, load_policy
from nemt.services.members.lookup import visible_member
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.files import stored_file
from nemt.services.platform.permissions import Action, may, require
from nemt.services.rides.certifications import (
    CertificationResult,
    certification_words,
    check_signature_date,
    decide_waiting_rides,
    put_on_record,
)
from nemt.services.rides.idempotency import commit_or_conflict
from nemt.services.rides.on_file import as_rule_document
from nemt.services.rides.places import zip5
from nemt.services.rides.prepare import bookable_member
from nemt.store.document_models import MemberDocument
from nemt.store.models import Member
from nemt.store.uow import UnitOfWork

__all__ = ["DocumentIn", "DocumentResult", "DocumentView", "authorizable", "document_file", "form_destinations",
           "member_documents", "record_document"]

Kind = Literal["certification", "verification-form-25mi", "prior-authorization"]
FILE_RULE = "the signed document is kept with the member"
_TEXT = Annotated[str, Field(max_length=200)]


class DocumentIn(BaseModel):
    """One document's fields (the form fields of ``POST /api/v1/members/{key}/documents``; the file comes apart)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind = Field(description="certification, verification-form-25mi or prior-authorization")
    signed_by: Annotated[str, Field(min_length=1, max_length=200, description=(
        "who signed: the medical professional (certification), the treating or referring provider or their "
        "designated staff (form), the Department's reviewer (prior authorization)"))]
    signed_on: dt.date = Field(description="the signature (or authorization) date; not in the future")
    statements: list[Need] = Field(default_factory=list, max_length=20,
                                   description="certification: what the professional certified (needs vocabulary)")
    destination_provider: str | None = Field(default=None, max_length=40, description=(
        "form: the medical provider's key in the directory (or destination_name and destination_zip)"))
    destination_name: _TEXT = Field(default="", description="form: the destination's name, when not in the directory")
    destination_zip: Annotated[str, Field(max_length=10)] = Field(default="", description="form: its ZIP code")
    recurring: bool | None = Field(default=None, description="form: for recurring appointments (dialysis, ...)")
    appointment_on: dt.date | None = Field(default=None, description="form for one appointment: its date")
    covers: list[str] = Field(default_factory=list, max_length=12, description=(
        "prior authorization: the modes it covers (air-ambulance, commercial-air, train, ...) and/or out-of-state"))
    authorization_number: Annotated[str, Field(max_length=40)] = Field(default="", description=(
        "prior authorization: the Department's number"))
    valid_from: dt.date | None = Field(default=None, description="prior authorization: the first date it covers")
    valid_through: dt.date | None = Field(default=None, description="prior authorization: the last date it covers")


@dataclass(frozen=True)
class DocumentView:
    """A document as the interfaces show it (no member data: the member is named by its key)."""

    key: str
    member: str
    kind: str
    statements: list[str]
    destination_provider: str | None
    destination_name: str
    destination_zip: str
    recurring: bool | None
    appointment_on: dt.date | None
    covers: list[str]
    authorization_number: str
    signed_by: str
    signed_on: dt.date
    valid_from: dt.date
    valid_through: dt.date | None
    file_type: str
    file_bytes: int
    file_sha256: str
    recorded_at: dt.datetime
    status: str  # current | superseded | expired
    superseded_by: str | None
    summary: str  # what it states, in words

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for name in ("signed_on", "valid_from", "valid_through", "appointment_on", "recorded_at"):
            value = out[name]
            out[name] = value.isoformat() if value is not None else None
        return out


@dataclass
class DocumentResult:
    document: DocumentView
    supersedes: list[str] = field(default_factory=list)  # keys of the documents it superseded
    decided: CertificationResult | None = None  # the member's pending rides, decided again

    @property
    def released(self) -> int:
        return len(self.decided.released) if self.decided is not None else 0


def authorizable(policy: Policy) -> list[str]:
    """What a prior authorization may cover in the program: the modes its file marks ``prior_authorization`` and
    out-of-state travel where the program has that rule (Train, Air and Out-of-State Travel)."""
    modes = [m for m in policy.modes if policy.mode(m).get("prior_authorization")]
    rules = policy.get("decision.rules", ())
    return modes + ([documents.OUT_OF_STATE] if "out-of-state" in rules else [])


def _refuse_foreign(command: DocumentIn, allowed: set[str]) -> None:
    """Fields of another kind of document are refused, naming the field (nothing is stored that was not read)."""
    given = {"statements": bool(command.statements), "destination_provider": command.destination_provider is not None,
             "destination_name": bool(command.destination_name), "destination_zip": bool(command.destination_zip),
             "recurring": command.recurring is not None, "appointment_on": command.appointment_on is not None,
             "covers": bool(command.covers), "authorization_number": bool(command.authorization_number),
             "valid_from": command.valid_from is not None, "valid_through": command.valid_through is not None}
    for name, present in given.items():
        if present and name not in allowed:
            raise InvalidInput(f"is not part of this kind of document ({documents.KIND_WORDS[command.kind].lower()})",
                               field=name, rule="what a document states")


def _certification(command: DocumentIn, row: MemberDocument) -> None:
    _refuse_foreign(command, {"statements"})
    if not command.statements:
        raise InvalidInput("name at least one statement the professional certified", field="statements",
                           rule="written certification")
    row.statements = sorted(set(command.statements))
    row.valid_from, row.valid_through = command.signed_on, None


def _form(uow: UnitOfWork, member: Member, command: DocumentIn, row: MemberDocument, policy: Policy) -> None:
    _refuse_foreign(command, {"destination_provider", "destination_name", "destination_zip", "recurring",
                              "appointment_on"})
    rule = policy.cite("distance") if policy.has("distance") else policy.cite("program")
    if not policy.has("distance"):
        raise InvalidInput("the program has no 25-mile rule, so no verification form", field="kind", rule=rule)
    if command.destination_provider:
        provider = uow.rides.medical_provider(member.program, command.destination_provider)
        if provider is None:
            raise NotFound("no such medical provider in the program", field="destination_provider",
                           rule="provider directory")
        row.destination_provider_id, row.destination_name, row.destination_zip = provider.id, provider.name, \
            provider.zip[:5]
    else:
        for name in ("destination_name", "destination_zip"):
            if not getattr(command, name).strip():
                raise InvalidInput("required: the destination the form is for (or give destination_provider)",
                                   field=name, rule=rule)
        row.destination_name = command.destination_name.strip()
        row.destination_zip = zip5(command.destination_zip, "destination_zip").zip_code
    if command.recurring is None:
        raise InvalidInput("say whether the form is for recurring appointments", field="recurring", rule=rule)
    if not command.recurring and command.appointment_on is None:
        raise InvalidInput("required for a form for one appointment: the appointment's date", field="appointment_on",
                           rule=rule)
    if command.recurring and command.appointment_on is not None:
        raise InvalidInput("is only given for a form for one appointment", field="appointment_on", rule=rule)
    row.recurring, row.appointment_on = command.recurring, command.appointment_on
    row.valid_from, row.valid_through = documents.form_window(
        command.signed_on, command.recurring, command.appointment_on,
        int(policy.get("distance.verification_form_valid_days")))


def _authorization(command: DocumentIn, row: MemberDocument, policy: Policy) -> None:
    _refuse_foreign(command, {"covers", "authorization_number", "valid_from", "valid_through"})
    rule = f"{policy.document} — {documents.KIND_SECTIONS[documents.PRIOR_AUTHORIZATION]}"
    allowed = authorizable(policy)
    if not allowed:
        raise InvalidInput("the program requires no prior authorization of the Department", field="kind", rule=rule)
    if not command.covers:
        raise InvalidInput(f"name what it covers: {joined(_cover_words(allowed), 'or')}", field="covers", rule=rule)
    unknown = [c for c in command.covers if c not in allowed]
    if unknown:
        raise InvalidInput(f"a prior authorization here covers only {joined(_cover_words(allowed), 'or')}",
                           field="covers", rule=rule)
    if not command.authorization_number.strip():
        raise InvalidInput("required: the Department's authorization number", field="authorization_number",
                           rule=rule)
    if command.valid_from is None or command.valid_through is None:
        raise InvalidInput("required: the dates the authorization covers", field=(
            "valid_from" if command.valid_from is None else "valid_through"), rule=rule)
    if command.valid_through < command.valid_from:
        raise InvalidInput("is before the first date covered", field="valid_through", rule=rule)
    row.covers = sorted(set(command.covers), key=command.covers.index)
    row.authorization_number = command.authorization_number.strip()
    row.valid_from, row.valid_through = command.valid_from, command.valid_through


def _cover_words(covers: list[str]) -> list[str]:
    return ["out-of-state travel" if c == documents.OUT_OF_STATE else mode_words(c) for c in covers]


def _summary(row: MemberDocument) -> str:
    """What a document states, in words."""
    if row.kind == documents.CERTIFICATION:
        return f"Certifies that {joined(map(need_words, row.statements or []))}."
    if row.kind == documents.VERIFICATION_FORM:
        when = (f"recurring appointments, valid {day_words(row.valid_from)} to {day_words(row.valid_through)}"
                if row.recurring and row.valid_through else
                f"the appointment of {day_words(row.appointment_on)}" if row.appointment_on else "one appointment")
        return f"For trips to {row.destination_name} ({row.destination_zip}): {when}."
    through = day_words(row.valid_through) if row.valid_through else "no end date"
    return (f"Authorization {row.authorization_number}: {joined(_cover_words(list(row.covers or [])))}, "
            f"{day_words(row.valid_from)} to {through}.")


def _arrived(row: MemberDocument) -> str:
    """What arrived, for the notice of a waiting ride it approves."""
    if row.kind == documents.CERTIFICATION:
        return certification_words(row.statements or [], row.signed_by, row.signed_on)
    what = ("The Verification Form for Transportation Services More Than 25 Miles" if row.kind ==
            documents.VERIFICATION_FORM else f"The Department's prior authorization {row.authorization_number}")
    return (f"{what}, signed by {row.signed_by} on {day_words(row.signed_on)}, is on file ({_summary(row)}): the "
            "ride is approved.")


def _views(rows: list[MemberDocument], member_key: str, today: dt.date,
           provider_keys: dict[int, str]) -> list[DocumentView]:
    gone = documents.superseded([as_rule_document(r) for r in rows])
    by_id = {r.id: r for r in rows}
    out = []
    for r in rows:
        status = ("superseded" if r.id in gone else
                  "expired" if r.valid_through is not None and r.valid_through < today else "current")
        out.append(DocumentView(
            r.key, member_key, r.kind, list(r.statements or []), provider_keys.get(r.destination_provider_id or 0),
            r.destination_name, r.destination_zip, r.recurring, r.appointment_on, list(r.covers or []),
            r.authorization_number, r.signed_by, r.signed_on, r.valid_from, r.valid_through, r.file_type,
            r.file_bytes, r.file_sha256, r.recorded_at, status,
            by_id[gone[r.id]].key if r.id in gone else None, _summary(r)))
    return out


def _provider_keys(uow: UnitOfWork, rows: list[MemberDocument]) -> dict[int, str]:
    out = {}
    for provider_id in {r.destination_provider_id for r in rows if r.destination_provider_id is not None}:
        provider = uow.rides.medical_provider_by_id(provider_id)
        if provider is not None:
            out[provider_id] = provider.key
    return out


def record_document(uow: UnitOfWork, actor: Actor, member_key: str, command: DocumentIn, content: bytes,
                    now: dt.datetime) -> DocumentResult:
    """Record one document with its file and decide the member's pending rides again (see the module's
    docstring); all of it or nothing."""
    broker = may(actor, Action.DOCUMENT_RECORD)  # the broker's staff record every kind, for any member of the program
    require(actor, Action.FORM_25MI_RECORD if command.kind == documents.VERIFICATION_FORM else Action.DOCUMENT_RECORD)
    # the actor's program only (another's is "no such member"); a transportation provider, its own members only
    member = bookable_member(uow, actor, member_key) if broker else visible_member(uow, actor, member_key)
    policy = load_policy(member.program)
    check_signature_date(member, command.signed_on, now, field="signed_on", what="a document")
    row = MemberDocument(program=member.program, member_id=member.id, kind=command.kind,
                         signed_by=command.signed_by.strip(), signed_on=command.signed_on, recorded_by=actor.user_id,
                         recorded_at=now, statements=[], covers=[])
    if command.kind == documents.CERTIFICATION:
        _certification(command, row)
    elif command.kind == documents.VERIFICATION_FORM:
        _form(uow, member, command, row, policy)
    else:
        _authorization(command, row, policy)
    upload = stored_file(content, field="file", rule=FILE_RULE, what="the signed document")
    row.file, row.file_type, row.file_bytes, row.file_sha256 = (upload.content, upload.media_type, upload.size,
                                                                upload.sha256)
    uow.documents.add(row)
    if row.kind == documents.CERTIFICATION:
        put_on_record(uow, member, row.statements, row.signed_by, row.signed_on)
    rows = uow.documents.of_member(member.id)
    gone = documents.superseded([as_rule_document(r) for r in rows])
    supersedes = [r.key for r in rows if gone.get(r.id) == row.id]
    audit.record(uow, actor, "create", "member-document", member.id, document=row.key, kind=row.kind,
                 signed_on=row.signed_on.isoformat(), valid_from=row.valid_from.isoformat(),
                 valid_through=row.valid_through.isoformat() if row.valid_through else None,
                 statements=row.statements, covers=row.covers, file_type=row.file_type, file_bytes=row.file_bytes,
                 file_sha256=row.file_sha256, supersedes=supersedes)
    # A provider's form decides no ride again: the form holds no ride ("The provider signature is not required prior
    # to the NEMT trip happening", 25 Mile or Longer Trips), and deciding rides is the broker's.
    decided = (decide_waiting_rides(uow, actor, member, now, _arrived(row), via="document", document=row.key)
               if broker else None)
    commit_or_conflict(uow)
    today = now.astimezone(policy.time_zone).date()
    [view] = [v for v in _views(rows, member.key, today, _provider_keys(uow, [row])) if v.key == row.key]
    return DocumentResult(view, supersedes, decided)


def member_documents(uow: UnitOfWork, actor: Actor, member_key: str, now: dt.datetime) -> list[DocumentView]:
    """The member's documents on file, newest first, each current, superseded or expired (one audit event)."""
    require(actor, Action.DOCUMENT_READ)
    member = visible_member(uow, actor, member_key)
    rows = uow.documents.of_member(member.id)
    audit.record(uow, actor, "read", "member-document", member.id, documents=len(rows))
    uow.commit()
    today = now.astimezone(load_policy(member.program).time_zone).date()
    return list(reversed(_views(rows, member.key, today, _provider_keys(uow, rows))))


def document_file(uow: UnitOfWork, actor: Actor, member_key: str, key: str) -> tuple[bytes, str, str]:
    """The file of a document the actor may see: its bytes, media type and a download name made of the kind and
    the document's key only (the read is audited)."""
    require(actor, Action.DOCUMENT_READ)
    row = uow.documents.visible(actor, member_key, key, with_file=True)
    if row is None:
        raise NotFound("no such document", field="document", rule="documents by key")
    content, media_type = bytes(row.file), row.file_type
    audit.record(uow, actor, "read", "member-document-file", row.member_id, document=row.key, kind=row.kind,
                 file_sha256=row.file_sha256)
    uow.commit()
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(media_type, "bin")
    return content, media_type, f"{row.kind}-{row.key}.{extension}"


def form_destinations(uow: UnitOfWork, program: str) -> list[tuple[str, str]]:
    """(key, label) of the program's enrolled medical providers: the destinations a verification form may name."""
    return [(mp.key, f"{mp.name} ({mp.city})") for mp in uow.rides.enrolled_medical_providers(program)]
