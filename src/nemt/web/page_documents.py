"""A member's documents on file (issue 16, point 3): the list (each current, superseded or expired, with its signed
file as a download) and the form that records a certification, a 25-mile verification form or a prior authorization
with its upload — the member's waiting rides are then decided again and the page says what happened to each.
Reached from the pending worklist and the member's page; the member and the document are named by opaque keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from nemt import clock
from nemt.domain import documents as kinds
from nemt.domain.decisions.words import mode_words, need_words
from nemt.domain.rides import NEEDS
from nemt.domain.statuses import TripStatus
from nemt.http.uploads import read_upload
from nemt.policy import Policy, load_policy
from nemt.services import members, rides
from nemt.services.members.documents import (
    DocumentIn,
    DocumentResult,
    authorizable,
    document_file,
    form_destinations,
    member_documents,
    record_document,
)
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_TEXT_FIELDS = ("kind", "signed_by", "signed_on", "destination_provider", "destination_name", "destination_zip",
                "recurring", "appointment_on", "authorization_number", "valid_from", "valid_through")


async def form_data(request: Request):
    """The submitted form (with its file), read once before the (synchronous) handler runs in the thread pool."""
    return await request.form()


def _waiting(page: Page, key: str) -> list[tuple[Any, list[str]]]:
    """The member's rides still waiting for a document (when the user may book: they are who records)."""
    if not page.may(Action.RIDE_READ):
        return []
    now = clock.now()
    return [(t, rides.waiting_for(t)) for t in rides.rides_of_member(page.uow, page.actor, key)
            if t.outcome == "pending" and t.status != TripStatus.CANCELLED and t.appointment_at > now]


def _offered(kind: str, policy: Policy) -> bool:
    """The kinds the program takes: a form where it has the 25-mile rule, an authorization where it requires one."""
    if kind == kinds.VERIFICATION_FORM:
        return policy.has("distance")
    return kind != kinds.PRIOR_AUTHORIZATION or bool(authorizable(policy))


def _render(page: Page, key: str, *, form: dict[str, Any] | None = None, error: ServiceError | None = None,
            result: DocumentResult | None = None):
    member = members.get_member(page.uow, page.actor, key)
    policy = load_policy(member.program)
    on_file = member_documents(page.uow, page.actor, key, clock.now())
    may_record = page.may(Action.FORM_25MI_RECORD)  # the broker's staff: every kind; a provider: the 25-mile form
    recordable = [k for k in kinds.KINDS if _offered(k, policy)
                  and (page.may(Action.DOCUMENT_RECORD) or k == kinds.VERIFICATION_FORM)]
    return page.render(
        "members/documents.html", status_code=error.status if error else 200, member=member, documents=on_file,
        waiting=_waiting(page, key), may_record=may_record and bool(recordable), recordable=recordable, error=error,
        result=result,
        form=form or {"signed_on": page.today().isoformat(), "kind": recordable[0] if recordable else ""},
        kind_words=kinds.KIND_WORDS, kinds=[(k, kinds.KIND_WORDS[k]) for k in recordable],
        statements=[(n, need_words(n)) for n in NEEDS],
        covers=[(c, "out-of-state travel" if c == kinds.OUT_OF_STATE else mode_words(c)) for c in authorizable(policy)],
        destinations=form_destinations(page.uow, member.program) if may_record else [],
        valid_days=policy.get("distance.verification_form_valid_days", None))


@router.get("/members/{key}/documents")
def documents_page(key: str, page: Page = Depends(page_for(Action.DOCUMENT_READ))):
    return _render(page, key)


def _command(form) -> tuple[DocumentIn, bytes]:
    data: dict[str, Any] = {name: (form.get(name) or "").strip() for name in _TEXT_FIELDS}
    data = {name: value for name, value in data.items() if value or name in ("kind", "signed_by", "signed_on")}
    data["statements"], data["covers"] = form.getlist("statements"), form.getlist("covers")
    if data.get("recurring") not in (None, "yes", "no"):
        raise InvalidInput("choose recurring appointments or one appointment", field="recurring", rule="form")
    if "recurring" in data:
        data["recurring"] = data["recurring"] == "yes"
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        raise InvalidInput("attach the signed document (a PDF, PNG or JPEG file)", field="file",
                           rule="the signed document is kept with the member")
    return rides.parse_input(DocumentIn, data), read_upload(upload, "file")


@router.post("/members/{key}/documents")
def record(key: str, request: Request, page: Page = Depends(page_for(Action.FORM_25MI_RECORD)),
           form=Depends(form_data)):
    """Record the document; the member's waiting rides are decided again (the page lists each)."""
    check_csrf(request, form.get("csrf_token"))
    kept = {name: form.get(name) for name in _TEXT_FIELDS if isinstance(form.get(name), str)}
    kept["statements"], kept["covers"] = form.getlist("statements"), form.getlist("covers")
    try:
        command, content = _command(form)
        result = record_document(page.uow, page.actor, key, command, content, clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return _render(page, key, form=kept, error=exc)
    return _render(page, key, result=result)


@router.get("/members/{key}/documents/{document}/file")
def download(key: str, document: str, page: Page = Depends(page_for(Action.DOCUMENT_READ))):
    content, media_type, name = document_file(page.uow, page.actor, key, document)
    return Response(content, media_type=media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'})
