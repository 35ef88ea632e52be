"""The reviewer's decision through the interfaces: the API (list, release, deny-on-review, with problem+json
refusals), the page (in-process) and the command. Both databases."""

from __future__ import annotations

import json

from sqlalchemy import select

from nemt.domain.statuses import ClaimStatus
from nemt.store.models import Claim
from tests.conftest import nemt_cli
from tests.web.helpers import sign_in


def _status(world, number: str) -> str:
    with world.uow() as uow:
        return uow.session.scalar(select(Claim.status).where(Claim.claim_number == number))


def test_the_api_lists_releases_and_refuses(in_review, client, token_for):
    world = in_review
    auditor = token_for("auditor")
    r = client.get("/api/v1/claims/review", headers=auditor)
    assert r.status_code == 200, r.text
    assert [c["claim_number"] for c in r.json()] == [world.review_number]
    assert r.json()[0]["holding"]
    r = client.get("/api/v1/claims/review", headers=token_for("provider"))
    assert r.status_code == 403
    r = client.post(f"/api/v1/claims/{world.review_number}/release", headers=auditor, json={"reason": " "})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post(f"/api/v1/claims/{world.ready_number}/deny-on-review", headers=auditor, json={"reason": "no"})
    assert r.status_code == 409 and "not in review" in r.json()["detail"]
    r = client.post("/api/v1/claims/CL999999/release", headers=auditor, json={"reason": "fine"})
    assert r.status_code == 404
    r = client.post(f"/api/v1/claims/{world.review_number}/release", headers=auditor,
                    json={"reason": "attachment received"})
    assert r.status_code == 200 and r.json()["status"] == "ready", r.text
    r = client.post(f"/api/v1/claims/{world.review_number}/deny-on-review", headers=auditor, json={"reason": "late"})
    assert r.status_code == 409
    assert _status(world, world.review_number) == ClaimStatus.READY


def test_the_page_lists_and_denies(in_review, client):
    world = in_review
    csrf = sign_in(client, "auditor")
    page = client.get("/integrity/claims")
    assert page.status_code == 200 and world.review_number in page.text and "Release" in page.text
    r = client.post(f"/integrity/claims/{world.review_number}/deny", data={"csrf_token": csrf, "reason": ""})
    assert r.status_code == 422 and "say why" in r.text
    r = client.post(f"/integrity/claims/{world.review_number}/deny",
                    data={"csrf_token": csrf, "reason": "no attachment"}, follow_redirects=True)
    assert r.status_code == 200 and f"Claim {world.review_number} is denied on review." in r.text
    assert "No claims in review." in r.text and 'href="/integrity/claims"' in r.text  # the auditor's navigation
    assert _status(world, world.review_number) == ClaimStatus.DENIED
    sign_in(client, "provider")
    r = client.get("/integrity/claims")
    assert r.status_code == 403 and 'href="/integrity/claims"' not in client.get("/").text


def test_the_command_releases(in_review, db):
    world = in_review
    listed = nemt_cli(db, "claims", "review", "--program", "CO")
    assert listed.returncode == 0, listed.stderr
    assert [c["claim_number"] for c in json.loads(listed.stdout)] == [world.review_number]
    refused = nemt_cli(db, "claims", "release", world.ready_number, "--reason", "fine")
    assert refused.returncode == 2 and "error: status:" in refused.stderr and "not in review" in refused.stderr
    done = nemt_cli(db, "claims", "release", world.review_number, "--reason", "attachment received")
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "ready", done.stderr
    assert _status(world, world.review_number) == ClaimStatus.READY
