"""The campaign of issue 14 as a standing test: schemathesis generates requests for every operation of the OpenAPI
document and sends them to the application in process (the demo world on the test database), with an
administrator's and a call-center agent's token.

Every answer must be no server error, a status the operation documents (``nemt.api.problems.responses``), a
documented media type and a body matching the documented schema. Requests are valid (positive) and invalid
(negative) by the schema; the valid ones name a real member and a directory destination where an operation takes
them, so they reach the use cases instead of stopping at "no such member".

It runs on PostgreSQL only, to stay near a minute on the 2-core machine: PostgreSQL is the stricter database
(SQLite stores a text of any length), and the refusals both databases share are tested on both
(``test_lookup_values.py``, ``tests/web/test_form_refusals.py``). The budget is bounded (``EXAMPLES`` per operation
and mode; ``NEMT_FUZZ_EXAMPLES=25`` runs a longer campaign) and derandomized (hypothesis's fixed seed: the same
requests on every run), so a failure reproduces. Every finding is collected and listed at once.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from nemt import clock
from nemt.services.platform import auth

# Slow, and its outcome does not hang on the date: run once, not again under the moved clock (Makefile).
pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("NEMT_FUZZ_EXAMPLES", "5"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
DENVER = ZoneInfo("America/Denver")


@dataclass
class Campaign:
    """What was sent and what came back: requests tried, statuses, and the first answer of each finding."""

    tried: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)

    def record(self, finding: str, evidence: str) -> None:
        self.failures.setdefault(finding, evidence[:300])

    def report(self) -> str:
        return "\n".join(f"{finding}\n    {evidence}" for finding, evidence in sorted(self.failures.items()))


@dataclass(frozen=True)
class Known:
    """Real records of the demo world that valid requests name, so they reach the use cases."""

    member: str  # a Colorado member's key
    destination: dict[str, str]  # an enrolled medical provider's key and one of its services
    appointment_at: str  # three days ahead, mid-morning in Denver
    return_at: str


def _known(client: Any) -> Known:
    with client.app.state.uow_factory() as uow:
        member = uow.members.in_program("CO")[0]
        provider = next(p for p in uow.network.enrolled_medical_providers("CO") if p.services)
        day = (clock.now() + dt.timedelta(days=3)).astimezone(DENVER).date()
        at = dt.datetime.combine(day, dt.time(10), tzinfo=DENVER)
        return Known(member.key, {"provider": provider.key, "service": provider.services[0]},
                     at.isoformat(), (at + dt.timedelta(hours=2)).isoformat())


def _name_known_records(case: Any, known: Known, *, bookable: bool) -> None:
    """A valid request names a real member (the ``member`` of a body, the key of a ``/members/{key}`` path) and a
    directory destination; ``bookable``: also a future appointment, so that a booking can succeed — every other
    field stays as generated."""
    body = case.body
    if isinstance(body, dict) and "member" in body:
        body["member"] = known.member
        body.pop("medicaid_id", None)
        if isinstance(body.get("destination"), dict):
            kept = {k: v for k, v in body["destination"].items() if k not in ("name", "address", "zip")}
            body["destination"] = {**kept, **known.destination}
        if bookable and "appointment_at" in body:
            body["appointment_at"] = known.appointment_at
            if body.get("return_pickup_at"):
                body["return_pickup_at"] = known.return_at
    if case.operation.path.startswith("/api/v1/members/{key}"):
        case.path_parameters = {**(case.path_parameters or {}), "key": known.member}


def _probe(operation: Any, mode: GenerationMode, headers: dict[str, str], known: Known, campaign: Campaign) -> None:
    """Send ``EXAMPLES`` generated requests of one operation and mode; record every failed check."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            _name_known_records(case, known, bookable=campaign.tried % 2 == 0)
        campaign.tried += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 - the application raised: a server error, recorded with its cause
            campaign.statuses[500] += 1
            campaign.record(f"{operation.label}: server error", f"{type(exc).__name__}: {exc}")
            return
        campaign.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                campaign.record(f"{operation.label}: {failure.title}", f"{response.status_code} {response.text}")

    try:
        probe()
    except Unsatisfiable:  # nothing to make invalid: an operation without parameters or body
        assert mode is GenerationMode.NEGATIVE, operation.label


def _signing_in_last(operation: Any) -> tuple[int, str]:
    """The operations of signing in run last, the token request very last: they revoke tokens (the caller's own,
    by id or the one it carries) and their failed log-ins fill the log-in throttle of the test client's address."""
    path = operation.path
    return (2 if path == "/api/v1/auth/token" else 1 if path.startswith("/api/v1/auth/") else 0, operation.label)


def _token(client: Any, username: str) -> dict[str, str]:
    """A fresh API token of the demo user, issued by the service (no second-factor code needed, none used up)."""
    with client.app.state.uow_factory() as uow:
        token = auth.issue_token(uow, uow.users.by_username(username), "schemathesis").token
        uow.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("username", ["admin", "agent"])
def test_every_operation_answers_as_documented(engine, request, username):
    if engine.dialect.name != "postgresql":
        pytest.skip("the campaign runs on PostgreSQL, which holds text to its column's length and refuses NUL")
    client = request.getfixturevalue("client")
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    known = _known(client)
    campaign = Campaign()
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_signing_in_last)
    headers = _token(client, username)
    for operation in operations:
        if operation.path.startswith("/api/v1/auth/"):
            headers = _token(client, username)  # a token of its own: the one before may have been revoked
        for mode in MODES:
            _probe(operation, mode, headers, known, campaign)
    print(f"\n{username}: {campaign.tried} requests to {len(operations)} operations, "
          f"statuses {dict(sorted(campaign.statuses.items()))}")
    assert campaign.tried >= EXAMPLES * len(operations), "the campaign sent fewer requests than its budget"
    assert campaign.statuses[500] == 0 and not campaign.failures, campaign.report()
