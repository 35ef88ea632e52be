"""The meals and lodging API: record with a receipt (multipart), refuse as problem+json naming the field and the rule,
list a trip's, read the receipt; the roles of the permissions table."""

from __future__ import annotations

from tests.expenses.conftest import DAY, NEXT_DAY, PDF
from tests.web.helpers import csrf_of, sign_in, urls_of


def _form(**values):
    return {"kind": "lodging", "service_date": DAY.isoformat(), "amount": "75.00", **values}


def test_record_list_and_read_receipt(trip, client, token_for):
    provider = token_for("provider")
    url = f"/api/v1/trips/{trip.trip_key}/expenses"
    r = client.post(url, headers=provider, data=_form(), files={"receipt": ("receipt.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["kind"], made["for"], made["amount"], made["claim_number"]) == ("lodging", "member", "75.00", None)
    # An impossible entry: the field and the rule, nothing written.
    bad = client.post(url, headers=provider, data=_form(service_date=NEXT_DAY.replace(day=9).isoformat()),
                      files={"receipt": ("r.pdf", PDF, "application/pdf")})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["field"] == "service_date" and "Meals/Lodging" in bad.json()["rule"]
    assert client.post(url, headers=token_for("driver"), data=_form(),
                       files={"receipt": ("r.pdf", PDF, "application/pdf")}).status_code == 403
    listed = client.get(url, headers=token_for("agent"))
    assert listed.status_code == 200 and [e["key"] for e in listed.json()] == [made["key"]]
    got = client.get(f"/api/v1/expenses/{made['key']}/receipt", headers=token_for("auditor"))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert client.get(f"/api/v1/expenses/{made['key']}/receipt", headers=token_for("driver")).status_code == 403
    assert client.get("/api/v1/expenses/nosuchkey/receipt", headers=provider).status_code == 404


def test_page_records_lists_and_refuses_with_the_rule(trip, client):
    sign_in(client, "provider")
    log = client.get(f"/provider/trip-logs/{trip.leg_keys[0]}")
    assert f"/trips/{trip.trip_key}/expenses" in log.text  # linked from the provider's trip log
    page = client.get(f"/trips/{trip.trip_key}/expenses")
    assert page.status_code == 200 and "No meals or lodging recorded" in page.text
    form = {**_form(amount="-5"), "csrf_token": csrf_of(page.text)}
    refused = client.post(f"/trips/{trip.trip_key}/expenses", data=form,
                          files={"receipt": ("r.pdf", PDF, "application/pdf")})
    assert refused.status_code == 422 and "positive amount" in refused.text and "Meals/Lodging" in refused.text
    form["amount"] = "88.00"
    done = client.post(f"/trips/{trip.trip_key}/expenses", data=form,
                       files={"receipt": ("r.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert done.status_code == 200 and "$88.00" in done.text and "not billed yet" in done.text
    receipt_url = next(u for u in urls_of(done.text) if u.endswith("/receipt"))
    assert client.get(receipt_url).content == PDF
    sign_in(client, "driver")
    assert client.get(f"/trips/{trip.trip_key}/expenses").status_code == 403
