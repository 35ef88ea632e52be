"""Errors as application/problem+json (RFC 9457), naming the field and the rule."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from nemt.contracts import ContractError, format_path
from nemt.services.platform.errors import ImportRejected, ServiceError, refused
from nemt.store.limits import FieldRefused

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, *, field: str | None = None, rule: str | None = None,
            **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field:
        body["field"] = field
    if rule:
        body["rule"] = rule
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def service_problem(exc: ServiceError) -> JSONResponse:
    """A ServiceError as problem+json (a rejected file lists its bad rows; a 401 asks for a bearer token)."""
    extra = {}
    if isinstance(exc, ImportRejected):
        extra["errors"] = [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors]
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    response = problem(exc.status, exc.title, exc.message, field=exc.field, rule=exc.rule, **extra)
    if headers:
        response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError):
        return service_problem(exc)

    @app.exception_handler(FieldRefused)
    async def _field_refused(_request: Request, exc: FieldRefused):
        # A value its column cannot hold, refused by the store before anything was written.
        return service_problem(refused(exc))

    @app.exception_handler(ContractError)
    async def _contract_error(_request: Request, exc: ContractError):
        return problem(422, "Invalid input", exc.message, field=exc.path, rule="input contract")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid"}
        loc = [p for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        # Pydantic's messages can echo the bad value; keep only the message, never the input.
        return problem(422, "Invalid input", str(first.get("msg")), field=format_path(loc) or None,
                       rule="request schema",
                       errors=[{"field": format_path([p for p in e.get("loc", ()) if p not in ("body", "query")]),
                                "message": e.get("msg")} for e in errors])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail), str(exc.detail))
