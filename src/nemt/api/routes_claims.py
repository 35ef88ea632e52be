"""Trip log (drivers record, providers and auditors read) and claims (provider admins build, export, resubmit, post
remittances; auditors read). Thin: parse, call :mod:`nemt.services.trips` / :mod:`nemt.services.claims`, answer.
Legs are addressed by opaque key, claims by claim number; member data never goes in a URL."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.http.uploads import read_upload
from nemt.services import claims, trips
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(responses=SIGNED_IN)


class EventIn(BaseModel):
    """One trip-log event. ``at``: when it happened (ISO 8601 with offset; without one, the program's local time;
    omitted: now). ``data`` by kind — picked-up: identity_verified, escorts [{name, role}], additional_passengers
    [{name, age, relation, reason?}], member_in_vehicle, shared_ride_group, metered, service_level; dropped-off:
    loaded_miles, trip_confirmed_by (member | escort | medical-facility), wait_minutes, attachment_25mi; no-show and
    cancelled: wait_minutes, reason; correction: supersedes (event id), fields {...}, reason. ``evidence`` (arrive,
    pick-up, drop-off): position_status (recorded | refused | unavailable), latitude, longitude, accuracy_m,
    position_at, odometer. ``attestation`` (pick-up, drop-off): by (member | escort | medical-facility) and
    signature_png (base64 PNG) or pin (the member's trip PIN)."""

    kind: Literal["arrived", "picked-up", "dropped-off", "no-show", "cancelled", "correction"]
    at: dt.datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    evidence: dict[str, Any] | None = None
    attestation: dict[str, Any] | None = None


class BuildIn(BaseModel):
    provider_npi: str | None = Field(default=None, description="omitted: the provider admin's own provider")
    from_date: dt.date = Field(alias="from")
    to_date: dt.date = Field(alias="to")

    model_config = {"populate_by_name": True}


class ExportIn(BaseModel):
    format: Literal["837p", "cms1500"] = "837p"
    provider_npi: str | None = None
    claim_numbers: list[str] | None = None
    payer: Literal["department", "broker"] | None = Field(
        None, description="whose claims: the Department's, or the State Contracted Broker's (broker service area); "
                          "default the only payer the ready claims have")


class ProfileIn(BaseModel):
    provider_npi: str | None = None
    address_line: str
    city: str
    state: str
    zip: str
    tax_id: str
    submitter_id: str
    submitter_name: str
    contact_name: str
    phone: str = ""
    taxonomy: str = "343900000X"


# --- trip log ------------------------------------------------------------------------------------------------------
@router.get("/api/v1/trip-log/legs", tags=["trip-log"],
            responses=responses(422),
            summary="Legs and their logs: a driver's own, a provider's organization's, else the program's. "
                    + roles_text([Action.TRIP_LOG_READ]))
def list_legs(date: dt.date | None = None, actor: Actor = allowed(Action.TRIP_LOG_READ),
              uow=Depends(get_uow)) -> list[dict]:
    return [v.as_dict() for v in trips.legs_for_actor(uow, actor, date)]


@router.get("/api/v1/trip-log/legs/{leg_key}", tags=["trip-log"],
            responses=responses(404),
            summary="One leg's current log (the fold of its events), its events and what it still lacks. "
                    + roles_text([Action.TRIP_LOG_READ]))
def read_leg(leg_key: str, actor: Actor = allowed(Action.TRIP_LOG_READ), uow=Depends(get_uow)) -> dict:
    return trips.leg_log(uow, actor, leg_key).as_dict()


@router.post("/api/v1/trip-log/legs/{leg_key}/events", tags=["trip-log"], status_code=201,
             responses=responses(400, 404, 409, 422),
             summary="Record an event of an assigned leg (append-only; corrections supersede fields). "
                     + roles_text([Action.TRIP_LOG_RECORD]))
def record(leg_key: str, body: EventIn, actor: Actor = allowed(Action.TRIP_LOG_RECORD), uow=Depends(get_uow)) -> dict:
    return trips.record_event(uow, actor, leg_key, body.kind, body.data, body.at, evidence=body.evidence,
                              attestation=body.attestation).as_dict()


@router.post("/api/v1/members/{member_key}/trip-pin", tags=["trip-log"], status_code=201,
             responses=responses(404),
             summary="Issue a member's trip PIN (shown once: tell it to the member; it attests trips on the "
                     "driver's phone). " + roles_text([Action.TRIP_PIN_ISSUE]))
def issue_trip_pin(member_key: str, actor: Actor = allowed(Action.TRIP_PIN_ISSUE), uow=Depends(get_uow)) -> dict:
    return {"pin": trips.issue_pin(uow, actor, member_key)}


@router.get("/api/v1/claims/{claim_number}/evidence", tags=["claims"],
            responses=responses(404),
            summary="The evidence of a claim's legs to attach to it: positions, odometer readings, attestations "
                    "(signatures as base64 PNG). " + roles_text([Action.CLAIM_READ]))
def claim_evidence(claim_number: str, actor: Actor = allowed(Action.CLAIM_READ), uow=Depends(get_uow)) -> dict:
    return trips.claim_evidence(uow, actor, claim_number)


# --- claims --------------------------------------------------------------------------------------------------------
@router.post("/api/v1/claims/build", tags=["claims"],
             responses=responses(400, 404, 422),
             summary="Build claims from the completed, not yet billed legs of the dates (each leg once). "
                     + roles_text([Action.CLAIM_WRITE]))
def build(body: BuildIn, actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> dict:
    return claims.build_claims_for_provider(uow, actor, body.provider_npi, (body.from_date, body.to_date)).as_dict()


@router.get("/api/v1/claims", tags=["claims"],
            responses=responses(422),
            summary="Claims, newest first (filter by status). " + roles_text([Action.CLAIM_READ]))
def list_all(status: str | None = None, limit: int = 500, actor: Actor = allowed(Action.CLAIM_READ),
             uow=Depends(get_uow)) -> list[dict]:
    return claims.list_claims(uow, actor, status=status, limit=limit)


@router.get("/api/v1/claims/denied", tags=["claims"],
            summary="Denied claims with the payer's reason codes, for rework. " + roles_text([Action.CLAIM_READ]))
def denied(actor: Actor = allowed(Action.CLAIM_READ), uow=Depends(get_uow)) -> list[dict]:
    return claims.denied_claims(uow, actor)


@router.put("/api/v1/claims/billing-profile", tags=["claims"],
            responses=responses(400, 404, 422),
            summary="Set the provider's billing profile (837P billing provider and submitter). "
                    + roles_text([Action.CLAIM_WRITE]))
def billing_profile(body: ProfileIn, actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> dict:
    fields = body.model_dump(exclude={"provider_npi"})
    claims.set_billing_profile(uow, actor, body.provider_npi, **fields)
    return {"status": "ok"}


@router.post("/api/v1/claims/export", tags=["claims"], response_class=Response,
             responses={200: {"description": "The 837P file (X12) or the CMS-1500 PDF.",
                              "content": {"application/edi-x12": {}, "application/pdf": {}}},
                        **responses(400, 404, 409, 422)},
             summary="Export the ready claims as one 837P (validated by pyx12) or one CMS-1500 PDF; the claims become "
                     "exported. " + roles_text([Action.CLAIM_WRITE]))
def export(body: ExportIn, actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> Response:
    result = claims.export_claims(uow, actor, fmt=body.format, provider=body.provider_npi,
                                  claim_numbers=body.claim_numbers, payer=body.payer)
    media = "application/pdf" if result.format == "cms1500" else "application/edi-x12"
    suffix = "pdf" if result.format == "cms1500" else "837"
    return Response(result.content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="batch-{result.batch_id}.{suffix}"',
        "X-Batch-Id": str(result.batch_id), "X-Claims": ",".join(result.claim_numbers),
        **({"X-Interchange-Control-Number": str(result.interchange_control_number)}
           if result.interchange_control_number else {}),
    })


@router.post("/api/v1/claims/remittances", tags=["claims"],
             responses=responses(400, 409, 413, 422),
             summary="Post an 835 (all or nothing; the same file twice changes nothing). "
                     + roles_text([Action.CLAIM_WRITE]))
def remit(file: UploadFile = File(...), actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> dict:
    return claims.post_remittance(uow, actor, read_upload(file)).as_dict()


@router.post("/api/v1/claims/acknowledgments", tags=["claims"],
             responses=responses(400, 409, 413, 422),
             summary="Read a 999 or TA1 (the batch accepted or rejected, with the segment in error) or a 277CA (each "
                     "claim accepted or rejected at the payer's front end); checked by pyx12, all or nothing, the "
                     "same file twice changing nothing. " + roles_text([Action.CLAIM_WRITE]))
def acknowledge(file: UploadFile = File(...), actor: Actor = allowed(Action.CLAIM_WRITE),
                uow=Depends(get_uow)) -> dict:
    return claims.read_acknowledgment(uow, actor, read_upload(file)).as_dict()


@router.get("/api/v1/claims/worklist", tags=["claims"],
            responses=responses(422),
            summary="The denied-claims worklist: 835 denials and 277CA rejections with their reasons in words, "
                    "filtered by kind (denied, rejected), payer, reason code and dates of service, with totals. "
                    + roles_text([Action.CLAIM_READ]))
def worklist(kind: Literal["denied", "rejected"] | None = None, payer: Literal["department", "broker"] | None = None,
             reason: str | None = None, from_date: dt.date | None = Query(None, alias="from"),
             to_date: dt.date | None = Query(None, alias="to"), actor: Actor = allowed(Action.CLAIM_READ),
             uow=Depends(get_uow)) -> dict:
    return claims.denied_worklist(uow, actor, kind=kind, payer=payer, reason=reason, first=from_date,
                                  last=to_date).as_dict()


@router.get("/api/v1/claims/{claim_number}", tags=["claims"],
            responses=responses(404),
            summary="One claim with its lines, edits and adjudication. " + roles_text([Action.CLAIM_READ]))
def read_claim(claim_number: str, actor: Actor = allowed(Action.CLAIM_READ), uow=Depends(get_uow)) -> dict:
    return claims.get_claim(uow, actor, claim_number)


@router.post("/api/v1/claims/{claim_number}/replace", tags=["claims"], status_code=201,
             responses=responses(404, 409, 422),
             summary="A replacement (frequency 7) of a sent claim, rebuilt from the corrected trip logs. "
                     + roles_text([Action.CLAIM_WRITE]))
def replace(claim_number: str, actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> dict:
    return claims.replace_claim(uow, actor, claim_number)


@router.post("/api/v1/claims/{claim_number}/void", tags=["claims"], status_code=201,
             responses=responses(404, 409, 422),
             summary="A void (frequency 8) of a sent claim. " + roles_text([Action.CLAIM_WRITE]))
def void(claim_number: str, actor: Actor = allowed(Action.CLAIM_WRITE), uow=Depends(get_uow)) -> dict:
    return claims.void_claim(uow, actor, claim_number)
