"""Health, API tokens, members and the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile

from nemt import __version__
from nemt.api.schemas import AuditOut, ImportOut, MemberOut, MemberSearch, TokenOut, TokenRequest
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, current_actor, get_uow
from nemt.http.uploads import read_upload
from nemt.services import members
from nemt.services.platform import audit, auth, csv_files
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter()


@router.get("/health", tags=["platform"], summary="Liveness and database check. Roles: anyone.")
def health(uow=Depends(get_uow)) -> dict:
    return {"status": "ok", "version": __version__, "database": auth.check_database(uow)}


@router.post("/api/v1/auth/token", tags=["auth"], response_model=TokenOut,
             summary="Exchange a user name and password for an API token. Roles: any user.")
def create_token(body: TokenRequest, uow=Depends(get_uow)) -> TokenOut:
    user = auth.authenticate(uow, body.username, body.password)
    token = auth.issue_token(uow, user, body.label)
    uow.commit()
    return TokenOut(token=token, role=user.role, organization=user.organization.name)


@router.get("/api/v1/me", tags=["auth"], summary="Who the token or session belongs to. Roles: any user.")
def me(actor: Actor = Depends(current_actor)) -> dict:
    return {"username": actor.username, "role": actor.role, "program": actor.program,
            "organization_kind": actor.organization_kind}


@router.post("/api/v1/members/search", tags=["members"], response_model=list[MemberOut],
             summary="Find members. " + roles_text([Action.MEMBER_SEARCH]))
def search_members(body: MemberSearch, actor: Actor = allowed(Action.MEMBER_SEARCH),
                   uow=Depends(get_uow)) -> list[MemberOut]:
    found = members.find_members(uow, actor, medicaid_id=body.medicaid_id, last_name=body.last_name,
                                 first_name=body.first_name, birth_date=body.birth_date)
    return [MemberOut.model_validate(m) for m in found]


@router.get("/api/v1/members/{key}", tags=["members"], response_model=MemberOut,
            summary="One member by its opaque key. " + roles_text([Action.MEMBER_READ]))
def read_member(key: str, actor: Actor = allowed(Action.MEMBER_READ), uow=Depends(get_uow)) -> MemberOut:
    return MemberOut.model_validate(members.get_member(uow, actor, key))


@router.post("/api/v1/members/import", tags=["members"], response_model=ImportOut,
             summary="Import an eligibility CSV (all rows or none). " + roles_text([Action.MEMBER_IMPORT]))
def import_members(file: UploadFile = File(...), program: str = Form(...),
                   actor: Actor = allowed(Action.MEMBER_IMPORT), uow=Depends(get_uow)) -> ImportOut:
    content = read_upload(file)
    with csv_files.errors_listed_capped():
        result = members.import_eligibility(uow, actor, program.upper(), file.filename or "upload.csv", content)
    return ImportOut(**result.__dict__)


@router.get("/api/v1/audit", tags=["audit"], response_model=list[AuditOut],
            summary="The latest audit records. " + roles_text([Action.AUDIT_READ]))
def audit_trail(limit: int = audit.DEFAULT_TRAIL_ROWS, actor: Actor = allowed(Action.AUDIT_READ),
                uow=Depends(get_uow)):
    return [AuditOut.model_validate(e) for e in audit.trail(uow, actor, limit)]
