"""The auditors' pages and API: the provider scores (sortable, CSV, the legs behind each), "open a case" from a
provider's row, the case's steps; only auditors and administrators. Both databases."""

from __future__ import annotations

import csv
import io

import pytest

from nemt.services import integrity
from nemt.services.integrity import analytics
from nemt.services.platform.errors import InvalidInput
from tests.claims_db.conftest import DAY
from tests.web.helpers import csrf_of, sign_in

PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


def test_the_scores_page_opens_a_case_and_the_case_holds(billed, client):
    world = billed
    sign_in(client, "auditor")
    page = client.get("/integrity", params={**PERIOD, "sort": "unverified_share"})
    assert page.status_code == 200 and f'data-npi="{world.provider_npi}"' in page.text
    assert "Open a case" in page.text and "<svg" in page.text
    legs = client.get(f"/integrity/providers/{world.provider_npi}/legs", params={**PERIOD, "score": "total"})
    assert legs.status_code == 200 and all(key in legs.text for key in world.keys)
    table = list(csv.reader(io.StringIO(client.get("/integrity.csv", params=PERIOD).text)))
    assert table[0][:3] == ["provider_npi", "provider", "trips"] and table[1][0] == world.provider_npi
    assert table[1][2] == "2"
    form = client.get("/integrity/cases/new", params={"provider": world.provider_npi, "reason": "scores"})
    r = client.post("/integrity/cases", data={"csrf_token": csrf_of(form.text), "provider": world.provider_npi,
                                              "reason": "unverified legs"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/integrity/cases/RC000001"
    case = client.get("/integrity/cases/RC000001")
    r = client.post("/integrity/cases/RC000001/hold", data={"csrf_token": csrf_of(case.text), "reason": "suspend"})
    assert r.status_code == 200 and "2 claims of" in r.text and "held from export" in r.text
    assert 'id="held-now">2<' in r.text
    r = client.post("/integrity/cases/RC000001/hold", data={"csrf_token": csrf_of(case.text), "reason": "again"})
    assert r.status_code == 409 and "only an open case can hold the provider&#39;s claims" in r.text
    r = client.post("/integrity/cases/RC000001/note", data={"csrf_token": csrf_of(case.text), "text": "12 trips"})
    assert "12 trips" in r.text
    assert "RC000001" in client.get("/integrity", params=PERIOD).text  # the row now links its case
    assert "RC000001" in client.get("/integrity/cases", params={"status": "held"}).text


def test_the_pages_are_the_auditors(billed, client):
    for who in ("provider", "agent", "dispatcher"):
        sign_in(client, who)
        assert client.get("/integrity", params=PERIOD).status_code == 403
        assert client.get("/integrity/cases").status_code == 403
    sign_in(client, "auditor")
    nav = client.get("/").text
    assert 'href="/integrity"' in nav and 'href="/integrity/cases"' in nav


def test_the_api(billed, client, token_for):
    world = billed
    auditor = token_for("auditor")
    r = client.get("/api/v1/integrity/providers", headers=auditor, params=PERIOD)
    assert r.status_code == 200, r.text
    (row,) = r.json()["providers"]
    assert row["provider_npi"] == world.provider_npi and row["trips"] == 2 and row["case"] is None
    r = client.get(f"/api/v1/integrity/providers/{world.provider_npi}/legs", headers=auditor,
                   params={**PERIOD, "score": "unverified_share"})
    assert sorted(leg["leg_key"] for leg in r.json()["legs"]) == sorted(world.keys)
    r = client.post("/api/v1/integrity/cases", headers=auditor,
                    json={"provider_npi": world.provider_npi, "reason": "burst"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    number = r.json()["number"]
    r = client.post(f"/api/v1/integrity/cases/{number}/hold", headers=auditor, json={"reason": "suspend"})
    assert r.json()["status"] == "held" and r.json()["held_claims"] == 2
    r = client.post(f"/api/v1/integrity/cases/{number}/notes", headers=auditor, json={"text": "finding"})
    assert r.status_code == 201 and r.json()["notes"][0]["text"] == "finding"
    r = client.post(f"/api/v1/integrity/cases/{number}/deny", headers=token_for("admin"), json={"reason": "fraud"})
    assert r.json()["status"] == "denied" and r.json()["denied_claims"] == 2
    r = client.post(f"/api/v1/integrity/cases/{number}/release", headers=auditor, json={"reason": "late"})
    assert r.status_code == 409 and r.json()["rule"] == "review case steps"
    assert [c["number"] for c in client.get("/api/v1/integrity/cases", headers=auditor).json()] == [number]
    provider = token_for("provider")
    assert client.get("/api/v1/integrity/providers", headers=provider, params=PERIOD).status_code == 403
    assert client.post("/api/v1/integrity/cases", headers=provider,
                       json={"provider_npi": world.provider_npi, "reason": "x"}).status_code == 403


def test_the_analytics_period_is_checked(billed):
    world = billed
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        analytics.provider_analytics(uow, world.actor("auditor"), DAY, DAY.replace(day=1))
    assert caught.value.field == "end"
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        analytics.provider_analytics(uow, world.actor("auditor"), DAY, DAY, sort="name")
    assert caught.value.field == "sort"
    assert integrity.suspension_rule("CT") == "payment suspension (42 CFR 455.23)"
