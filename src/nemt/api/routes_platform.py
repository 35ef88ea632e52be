"""Health, members and the audit trail (API tokens: ``routes_auth``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from nemt import __version__
from nemt.api.problems import signed_in
from nemt.api.schemas import AuditOut, DisclosureOut, ImportOut, MemberOut, MemberSearch
from nemt.domain.actors import Actor
from nemt.http import capacity
from nemt.http.deps import allowed, get_uow
from nemt.http.uploads import read_upload
from nemt.services import members
from nemt.services.platform import audit, csv_files, disclosures
from nemt.services.platform.permissions import Action, roles_text
from nemt.settings import get_settings

router = APIRouter()


@router.get("/health", tags=["platform"], summary="Liveness and database check. Roles: anyone.",
            responses={503: {"description": "The database did not answer within the health check's timeout."}})
async def health(request: Request, response: Response) -> dict:
    """Answered on the event loop, never queued behind the requests (``nemt.http.capacity``), and honest: the
    database check runs with its own short timeout (``NEMT_HEALTH_TIMEOUT``); no answer in time is a 503."""
    timeout = get_settings().health_timeout
    database = await capacity.database_check(request.app, timeout)
    if database is None:
        response.status_code = 503
        return {"status": "unavailable", "version": __version__,
                "database": f"no answer within {timeout:g} s"}
    return {"status": "ok", "version": __version__, "database": database}


@router.post("/api/v1/members/search", tags=["members"], response_model=list[MemberOut],
             responses=signed_in(400, 422, 429),
             summary="Find members. " + roles_text([Action.MEMBER_SEARCH]))
def search_members(body: MemberSearch, actor: Actor = allowed(Action.MEMBER_SEARCH),
                   uow=Depends(get_uow)) -> list[MemberOut]:
    found = members.find_members(uow, actor, medicaid_id=body.medicaid_id, last_name=body.last_name,
                                 first_name=body.first_name, birth_date=body.birth_date, query=body.query)
    return [MemberOut.model_validate(m) for m in found]


@router.get("/api/v1/members/{key}", tags=["members"], response_model=MemberOut,
            responses=signed_in(404, 429),
            summary="One member by its opaque key. " + roles_text([Action.MEMBER_READ]))
def read_member(key: str, actor: Actor = allowed(Action.MEMBER_READ), uow=Depends(get_uow)) -> MemberOut:
    return MemberOut.model_validate(members.get_member(uow, actor, key))


@router.get("/api/v1/members/{key}/disclosures", tags=["members"], response_model=list[DisclosureOut],
            responses=signed_in(404),
            summary="The member's accounting of disclosures: who read or changed the record, when, through what "
                    "(45 CFR 164.528). " + roles_text([Action.AUDIT_DISCLOSURES]))
def member_disclosures(key: str, actor: Actor = allowed(Action.AUDIT_DISCLOSURES),
                       uow=Depends(get_uow)) -> list[DisclosureOut]:
    return [DisclosureOut.model_validate(d) for d in disclosures.disclosures(uow, actor, key)]


@router.post("/api/v1/members/import", tags=["members"], response_model=ImportOut,
             responses=signed_in(400, 404, 413, 422),
             summary="Import an eligibility CSV (all rows or none). " + roles_text([Action.MEMBER_IMPORT]))
def import_members(file: UploadFile = File(...), program: str = Form(...),
                   actor: Actor = allowed(Action.MEMBER_IMPORT), uow=Depends(get_uow)) -> ImportOut:
    content = read_upload(file)
    with csv_files.errors_listed_capped():
        result = members.import_eligibility(uow, actor, program.upper(), file.filename or "upload.csv", content)
    return ImportOut(**result.__dict__)


@router.get("/api/v1/audit", tags=["audit"], response_model=list[AuditOut],
            responses=signed_in(422),
            summary="The latest audit records. " + roles_text([Action.AUDIT_READ]))
def audit_trail(limit: int = audit.DEFAULT_TRAIL_ROWS, actor: Actor = allowed(Action.AUDIT_READ),
                uow=Depends(get_uow)):
    return [AuditOut.model_validate(e) for e in audit.trail(uow, actor, limit)]
