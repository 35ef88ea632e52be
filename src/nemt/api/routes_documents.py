"""A member's documents on file (issue 16, point 3): record a certification, a 25-mile verification form or a prior
authorization with its signed file (a multipart form; the member's pending rides are decided again), list them,
download one file.

Thin: the fields are ``nemt.services.members.documents.DocumentIn``; the member and the document are addressed by
opaque keys only, and the file is served as an attachment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from pydantic import BaseModel

from nemt import clock
from nemt.api.problems import SIGNED_IN, responses
from nemt.api.routes_certifications import DecidedAgainOut
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.http.uploads import read_upload
from nemt.services import rides
from nemt.services.members.documents import (
    DocumentIn,
    DocumentView,
    document_file,
    member_documents,
    record_document,
)
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["members"], responses=SIGNED_IN)


class RecordedOut(BaseModel):
    document: DocumentView  # the service's view is the answer's schema (pydantic reads the dataclass)
    supersedes: list[str]
    released: int
    rides: list[DecidedAgainOut]


def _optional(value: str) -> str | None:
    return value or None


@router.post("/members/{key}/documents", response_model=RecordedOut, status_code=201,
             responses=responses(400, 404, 409, 413, 422),
             summary="Record a document of the member with its signed file (multipart form: kind = certification, "
                     "verification-form-25mi or prior-authorization; signed_by, signed_on; a certification's "
                     "statements; a form's destination_provider (or destination_name and destination_zip), recurring, "
                     "appointment_on; an authorization's covers, authorization_number, valid_from, valid_through; the "
                     "file as a PDF, PNG or JPEG). The member's pending rides are decided again. A transportation "
                     "provider records only the verification form, for its own members (no ride is decided again). "
                     + roles_text([Action.FORM_25MI_RECORD]))
def record(key: str, kind: str = Form(...), signed_by: str = Form(...), signed_on: str = Form(...),
           statements: list[str] = Form([]), destination_provider: str = Form(""), destination_name: str = Form(""),
           destination_zip: str = Form(""), recurring: str = Form(""), appointment_on: str = Form(""),
           covers: list[str] = Form([]), authorization_number: str = Form(""), valid_from: str = Form(""),
           valid_through: str = Form(""), file: UploadFile = File(...),
           actor: Actor = allowed(Action.FORM_25MI_RECORD), uow=Depends(get_uow)) -> dict[str, Any]:
    command = rides.parse_input(DocumentIn, {
        "kind": kind, "signed_by": signed_by, "signed_on": signed_on, "statements": statements,
        "destination_provider": _optional(destination_provider), "destination_name": destination_name,
        "destination_zip": destination_zip, "recurring": _optional(recurring),
        "appointment_on": _optional(appointment_on), "covers": covers, "authorization_number": authorization_number,
        "valid_from": _optional(valid_from), "valid_through": _optional(valid_through)})
    result = record_document(uow, actor, key, command, read_upload(file, "file"), clock.now())
    decided = rides.describe_certification(result.decided)["rides"] if result.decided is not None else []
    return {"document": result.document.as_dict(), "supersedes": result.supersedes, "released": result.released,
            "rides": decided}


@router.get("/members/{key}/documents", response_model=list[DocumentView], responses=responses(404),
            summary="The member's documents on file, newest first, each current, superseded or expired. "
                    + roles_text([Action.DOCUMENT_READ]))
def listed(key: str, actor: Actor = allowed(Action.DOCUMENT_READ), uow=Depends(get_uow)) -> list[dict[str, Any]]:
    return [view.as_dict() for view in member_documents(uow, actor, key, clock.now())]


@router.get("/members/{key}/documents/{document}/file", response_class=Response, responses=responses(404),
            summary="The signed file of one document (PDF, PNG or JPEG), as an attachment. "
                    + roles_text([Action.DOCUMENT_READ]))
def download(key: str, document: str, actor: Actor = allowed(Action.DOCUMENT_READ),
             uow=Depends(get_uow)) -> Response:
    content, media_type, name = document_file(uow, actor, key, document)
    return Response(content, media_type=media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'})
