"""Errors as application/problem+json (RFC 9457), naming the field and the rule — and their documentation.

Every router states the error statuses its operations answer with :func:`responses` (the OpenAPI document then
lists each one with the problem schema), so a client — and the schemathesis campaign of
``tests/interfaces/test_openapi_fuzz.py`` — knows every status it can get. :data:`SIGNED_IN` is the set every
operation behind a token or session shares; routes add the statuses of their own failures (404 for a key, 409 for a
conflict, 413 for an upload, 429 for a throttle).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from nemt.contracts import ContractError, format_path
from nemt.services.platform.errors import ImportRejected, ServiceError, TooManyRequests

PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """The body of every error answer (RFC 9457 with the platform's ``field`` and ``rule``)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = Field(default=None, description="the input at fault, when one is")
    rule: str | None = Field(default=None, description="the rule that refused the request")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="every invalid input ({field, message}), or a rejected file's rows "
                                  "({line, field, reason})")


# What each error status means on this API (the OpenAPI descriptions).
MEANINGS = {
    400: "The body could not be read (not the JSON or form the operation takes).",
    401: "No valid API token or session (`WWW-Authenticate: Bearer`).",
    403: "The role may not do this (the permissions table), or the organization may not see it.",
    404: "No such record, or none the caller may see.",
    409: "The record changed or was taken meanwhile, or its state does not allow this.",
    413: "The upload is larger than the maximum upload size (NEMT_MAX_UPLOAD_MB).",
    422: "Invalid input: the field and the rule are named.",
    429: "Too many attempts: wait as `Retry-After` says.",
    503: "The server is busy or the database does not answer: retry after `Retry-After` seconds.",
}
_SCHEMA = Problem.model_json_schema()


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of these error statuses, each a problem+json body."""
    return {status: {"description": MEANINGS[status], "content": {PROBLEM: {"schema": _SCHEMA}}}
            for status in statuses}


# Every operation behind a token or a session: not signed in, role refused, a text input no column can hold (a NUL
# character, refused by the store even in a look-up: ``nemt.store.limits``), server busy.
SIGNED_IN = responses(401, 403, 422, 503)


def signed_in(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """:data:`SIGNED_IN` and these statuses: the ``responses=`` of one operation of a router without a default."""
    return {**SIGNED_IN, **responses(*statuses)}


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
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    response = problem(exc.status, exc.title, exc.message, field=exc.field, rule=exc.rule, **extra)
    if headers:
        response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError):
        return service_problem(exc)

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
