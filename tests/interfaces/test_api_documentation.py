"""The OpenAPI document states every error an operation answers, as problem+json (``nemt.api.problems``); the
fuzzing of ``test_openapi_fuzz.py`` then holds the application to it. And inputs are bounded in the schema itself, so
a client sees the bound and a value beyond it is a documented 422, not a server error."""

from __future__ import annotations

import math

import pytest

from nemt.api.problems import PROBLEM
from tests.interfaces.conftest import bare_client

OPEN = {"/health", "/api/v1/auth/token"}  # answered without a token
HEALTH = "/health"  # its 503 is the health report itself (application/json), for the load balancer


@pytest.fixture(scope="module")
def openapi(tmp_path_factory) -> dict:
    with bare_client(tmp_path_factory.mktemp("doc")) as client:
        return client.get("/openapi.json").json()


def _operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_signed_in_operation_documents_its_errors_as_problems(openapi):
    missing = []
    for path, method, operation in _operations(openapi):
        documented = operation["responses"]
        needed = {"503"} if path in OPEN else {"401", "403", "422", "503"}
        missing += [f"{method} {path}: {status}" for status in sorted(needed - set(documented))]
        for status, response in documented.items():
            if status.startswith(("4", "5")) and path != HEALTH:
                content = response.get("content", {})
                assert list(content) == [PROBLEM], f"{method} {path} {status}: {list(content)}"
                assert {"title", "status", "detail", "field", "rule"} <= set(content[PROBLEM]["schema"]["properties"])
    assert not missing, "undocumented error statuses:\n" + "\n".join(missing)


def test_operations_with_a_key_in_the_path_document_404(openapi):
    missing = [f"{method} {path}" for path, method, operation in _operations(openapi)
               if "{" in path and "404" not in operation["responses"]]
    assert not missing, missing


@pytest.mark.parametrize("time_limit", [-1, 0, 61, math.nan, math.inf])
def test_the_optimizer_time_limit_is_bounded(client, token_for, time_limit):
    body = f'{{"date": "2026-11-18", "time_limit": {time_limit}}}'.replace("nan", "NaN").replace("inf", "Infinity")
    r = client.post("/api/v1/dispatch/schedule", content=body.encode(),
                    headers={**token_for("dispatcher"), "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "time_limit", r.text


def test_a_background_schedule_may_search_longer_but_is_bounded_too(client, token_for):
    """A job may search up to 900 s (a statewide day); a longer search is refused when the job is submitted."""
    for seconds, status in ((901, 422), (-1, 422)):
        r = client.post("/api/v1/dispatch/schedule-jobs", json={"date": "2026-11-18", "time_limit": seconds},
                        headers=token_for("dispatcher"))
        assert r.status_code == status and r.json()["field"] == "time_limit", r.text
