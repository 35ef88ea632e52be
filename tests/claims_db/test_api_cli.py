"""The trip-log and claims endpoints and the `nemt claims` commands (subprocesses, racing builders)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from nemt.billing.x12_validate import validate_x12
from nemt.services import claims as claims_service
from nemt.store.models import BilledLeg, Claim
from tests.claims_db.conftest import BILLING_PROFILE, DAY, at, fast_complete, make_835
from tests.conftest import nemt_cli, nemt_cli_started


def test_trip_log_and_claims_through_the_api(world, client, token_for):
    driver, provider, auditor = token_for("driver"), token_for("provider"), token_for("auditor")
    mine, theirs = world.make_leg(0), world.make_leg(1, driver="other")
    url = f"/api/v1/trip-log/legs/{mine}/events"
    r = client.post(url, headers=driver, json={"kind": "picked-up", "at": at(8, 5).isoformat(),
                                               "data": {"identity_verified": True}})
    assert r.status_code == 201, r.text
    r = client.post(url, headers=driver, json={"kind": "dropped-off", "at": at(8, 40).isoformat(),
                                               "data": {"loaded_miles": 9}})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "trip_confirmed_by" and "25 Mile or Longer Trips" in r.json()["rule"]
    r = client.post(url, headers=driver, json={"kind": "dropped-off", "at": at(8, 40).isoformat(),
                                               "data": {"loaded_miles": 9, "trip_confirmed_by": "medical-facility"}})
    assert r.status_code == 201 and r.json()["log"]["status"] == "completed"
    r = client.post(f"/api/v1/trip-log/legs/{theirs}/events", headers=driver, json={"kind": "arrived"})
    assert r.status_code == 403
    r = client.post(url, headers=provider, json={"kind": "arrived"})
    assert r.status_code == 403
    r = client.get("/api/v1/trip-log/legs", headers=driver, params={"date": DAY.isoformat()})
    assert [v["leg_key"] for v in r.json()] == [mine]
    assert client.get(f"/api/v1/trip-log/legs/{theirs}", headers=provider).status_code == 200

    # Claims: the provider admin builds and exports; the auditor reads; the driver does neither.
    assert client.put("/api/v1/claims/billing-profile", headers=provider, json=BILLING_PROFILE).status_code == 200
    body = {"from": DAY.isoformat(), "to": DAY.isoformat()}
    assert client.post("/api/v1/claims/build", headers=auditor, json=body).status_code == 403
    r = client.post("/api/v1/claims/build", headers=provider, json=body)
    assert r.status_code == 200, r.text
    (claim,) = r.json()["claims"]
    assert client.get("/api/v1/claims", headers=driver).status_code == 403
    listed = client.get("/api/v1/claims", headers=auditor, params={"status": "ready"}).json()
    assert [c["claim_number"] for c in listed] == [claim["claim_number"]]
    assert listed[0]["lines"][0]["leg_key"] == mine
    r = client.post("/api/v1/claims/export", headers=provider, json={"format": "837p"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/edi-x12"
    assert validate_x12(r.text)[0] and claim["claim_number"] in r.text
    r = client.post("/api/v1/claims/remittances", headers=provider, files={"file": ("r.835", make_835(
        [(claim["claim_number"], "4", claim["total_charge"], "0", "P77", f"CO*16*{claim['total_charge']}")]))})
    assert r.status_code == 200 and r.json()["denied"] == [claim["claim_number"]]
    denied = client.get("/api/v1/claims/denied", headers=auditor).json()
    assert denied[0]["reason_codes"] == ["CO-16"]
    r = client.post(f"/api/v1/claims/{claim['claim_number']}/replace", headers=provider)
    assert r.status_code == 201 and r.json()["original_claim_number"] == "P77"
    assert client.get(f"/api/v1/claims/{r.json()['claim_number']}", headers=auditor).json()["frequency"] == "7"


def test_cli_builders_racing_export_and_a_bad_835(world, db, tmp_path):
    keys = [world.make_leg(i) for i in range(12)]
    fast_complete(world, keys)
    with world.uow() as uow:
        claims_service.set_billing_profile(uow, world.actor("provider"), None, **BILLING_PROFILE)
    build = ("claims", "build", "--provider", world.provider_npi, "--from", DAY.isoformat(), "--to", DAY.isoformat())
    racers = [nemt_cli_started(db, *build) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in racers]
    assert [p.returncode for p in racers] == [0, 0], [err for _, err in outputs]
    built = [json.loads(out)["claims"] for out, _ in outputs]
    assert sum(len(b) for b in built) == 12
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BilledLeg)) == 12
        assert uow.session.scalar(select(func.count()).select_from(Claim)) == 12

    if db.dialect.name != "sqlite":
        return  # the commands below are the same code on both databases (tested there by the service tests)
    # Members of the broker service area and outside it: two payers, two files (Payment for Covered Services).
    r = nemt_cli(db, "claims", "export", "--format", "837p", "--out", str(tmp_path / "both.837"))
    assert r.returncode == 2 and "error: payer:" in r.stderr
    exported = 0
    for payer in ("broker", "department"):
        out = tmp_path / f"{payer}.837"
        r = nemt_cli(db, "claims", "export", "--format", "837p", "--payer", payer, "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert validate_x12(out.read_text())[0] and json.loads(r.stdout)["payer"] == payer
        exported += len(json.loads(r.stdout)["claims"])
    assert exported == 12
    # The broker pays the provider's broker-area claims (its 835) and reports them to the Department (encounters).
    r = nemt_cli(db, "claims", "broker-pay", "--provider", world.provider_npi, "--out", str(tmp_path / "broker.835"))
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["posted"]) == 9 and validate_x12((tmp_path / "broker.835").read_text())[0]
    r = nemt_cli(db, "claims", "encounters", "--provider", world.provider_npi, "--from", DAY.isoformat(), "--to",
                 DAY.isoformat(), "--out", str(tmp_path / "encounters.837"))
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["claims"]) == 9 and validate_x12((tmp_path / "encounters.837").read_text())[0]

    bad = tmp_path / "bad.835"
    bad.write_text(make_835([(built[0][0]["claim_number"] if built[0] else built[1][0]["claim_number"],
                              "1", "10.00", "10.00", "P1", None)]).replace("*C*ACH*", "*Z*ACH*"))
    r = nemt_cli(db, "claims", "remit", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert "segment 4 (BPR): BPR03" in r.stderr and "nothing was posted" in r.stderr
