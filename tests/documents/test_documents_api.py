"""A member's documents through the API and the pages (issue 16, point 3): a multipart record with the file, the
list, the file as an attachment under opaque keys, refusals as problem+json naming the field, roles and programs;
the pending worklist links each waiting ride to the member's documents page, which records one with its upload."""

from __future__ import annotations

import re

from tests.documents.conftest import CHEYENNE, GIF, PDF, today
from tests.rides.conftest import ride
from tests.web.helpers import sign_in


def _form(**extra) -> dict:
    return {"kind": "certification", "statements": ["cannot-use-less-costly-modes"],
            "signed_by": "Dr. Ada Example, MD (demo)", "signed_on": today().isoformat(), **extra}


def test_record_list_and_download(client, token_for, world):
    agent = token_for("agent")
    member = world.members["noneeds"]
    trip = client.post("/api/v1/rides", json=ride(member, world.providers["Denver"]), headers=agent).json()
    assert trip["outcome"] == "pending"
    url = f"/api/v1/members/{member}/documents"
    r = client.post(url, headers=agent, data=_form(), files={"file": ("scan.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["released"] == 1 and out["rides"][0]["ride"] == trip["key"] and out["rides"][0]["outcome"] == "approved"
    doc = out["document"]
    assert doc["kind"] == "certification" and doc["status"] == "current" and doc["file_bytes"] == len(PDF)
    listed = client.get(url, headers=agent)
    assert listed.status_code == 200 and [d["key"] for d in listed.json()] == [doc["key"]]
    for user in ("agent", "auditor"):
        got = client.get(f"{url}/{doc['key']}/file", headers=token_for(user))
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"] == f'attachment; filename="certification-{doc["key"]}.pdf"'
        assert got.headers["cache-control"] == "no-store"


def test_refusals_roles_and_programs(client, token_for, world):
    member = world.members["plain"]
    url = f"/api/v1/members/{member}/documents"
    agent = token_for("agent")
    bad = client.post(url, headers=agent, data=_form(), files={"file": ("scan.gif", GIF, "image/gif")})
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    assert "PDF, PNG or JPEG" in bad.json()["detail"]
    bad = client.post(url, headers=agent, data=_form(kind="prior-authorization", statements=[]),
                      files={"file": ("pa.pdf", PDF, "application/pdf")})
    assert bad.status_code == 422 and bad.json()["field"] == "covers"
    bad = client.post(url, headers=agent, data=_form(kind="sticky-note"), files={"file": ("a.pdf", PDF, "x/y")})
    assert bad.status_code == 422 and bad.json()["field"] == "kind"
    for user in ("provider", "driver", "facility", "auditor"):
        r = client.post(url, headers=token_for(user), data=_form(), files={"file": ("a.pdf", PDF, "application/pdf")})
        assert r.status_code == 403, user
    assert client.get(url, headers=token_for("driver")).status_code == 403
    # Another program's agent: the member is unknown to them (nothing confirms it exists).
    assert client.get(url, headers=token_for("ct-agent")).status_code == 404
    r = client.post(url, headers=token_for("ct-agent"), data=_form(), files={"file": ("a.pdf", PDF, "application/pdf")})
    assert r.status_code == 404 and r.json()["field"] == "member"
    # A prior authorization for the out-of-state ride, then the download is refused under another member's key.
    trip = client.post("/api/v1/rides", json=ride(member, world.providers["Denver"], destination=CHEYENNE),
                       headers=agent).json()
    assert trip["outcome"] == "pending"
    r = client.post(url, headers=agent, files={"file": ("pa.pdf", PDF, "application/pdf")}, data={
        "kind": "prior-authorization", "covers": ["out-of-state"], "authorization_number": "PA-2026-0042",
        "valid_from": today().isoformat(), "valid_through": today().isoformat(), "signed_by": "HCPF (demo)",
        "signed_on": today().isoformat()})
    assert r.status_code == 201, r.text
    assert r.json()["released"] == 0  # the ride is a week ahead: outside the single day authorized
    key = r.json()["document"]["key"]
    other = world.members["noneeds"]
    assert client.get(f"/api/v1/members/{other}/documents/{key}/file", headers=agent).status_code == 404


def test_the_pages_link_list_and_record(client, token_for, world):
    member = world.members["noneeds"]
    trip = client.post("/api/v1/rides", json=ride(member, world.providers["Denver"]), headers=token_for("agent"))
    confirmation = trip.json()["confirmation"]
    csrf = sign_in(client, "agent")
    pending = client.get("/pending")
    assert f'href="/members/{member}/documents"' in pending.text
    page = client.get(f"/members/{member}/documents")
    assert page.status_code == 200 and confirmation in page.text and "No document on file" in page.text
    refused = client.post(f"/members/{member}/documents", data={"csrf_token": csrf, **_form()},
                          files={"file": ("scan.gif", GIF, "image/gif")})
    assert refused.status_code == 422 and "PDF, PNG or JPEG" in refused.text
    done = client.post(f"/members/{member}/documents", data={"csrf_token": csrf, **_form()},
                       files={"file": ("scan.pdf", PDF, "application/pdf")})
    assert done.status_code == 200 and "1 ride(s) released, 0 still waiting" in done.text, done.text[-3000:]
    link = re.search(rf'href="(/members/{member}/documents/[A-Za-z0-9_-]+/file)"', done.text)
    assert link is not None
    got = client.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-disposition"].startswith("attachment")
    assert confirmation not in client.get("/pending").text


def test_a_provider_records_the_25_mile_form_on_the_page_of_a_member_it_carries(client, token_for, world):
    from sqlalchemy import select

    from nemt.store.models import Leg, TransportProvider, Trip, User

    member = world.members["plain"]
    trip = client.post("/api/v1/rides", json=ride(member, world.providers["Denver"]), headers=token_for("agent")).json()
    with world.uow() as uow:  # its leg assigned to the provider, as dispatch would
        org = uow.session.scalar(select(User.organization_id).where(User.username == "provider"))
        leg = uow.session.scalar(select(Leg).join(Trip).where(Trip.key == trip["key"]).limit(1))
        leg.provider_id = uow.session.scalar(select(TransportProvider.id).where(
            TransportProvider.organization_id == org).limit(1))
        leg_key = leg.key
        uow.commit()
    csrf = sign_in(client, "provider")
    log = client.get(f"/provider/trip-logs/{leg_key}")  # the trip log links to the form, at the program's radius
    assert log.status_code == 200 and f'href="/members/{member}/documents">The member\'s 25-mile' in log.text
    page = client.get(f"/members/{member}/documents")
    assert page.status_code == 200
    kinds = re.findall(r'<option value="([a-z0-9-]+)"[^>]*>[^<]*</option>', page.text.split('id="kind"')[1].split(
        "</select>")[0])
    assert kinds == ["verification-form-25mi"]  # the form alone: certifications and authorizations are the broker's
    assert 'name="statements"' not in page.text and 'name="covers"' not in page.text
    done = client.post(f"/members/{member}/documents", files={"file": ("form.pdf", PDF, "application/pdf")},
                       data={"csrf_token": csrf, "kind": "verification-form-25mi", "signed_by": "Dr. X (demo)",
                             "signed_on": today().isoformat(), "destination_provider": world.providers["Denver"],
                             "recurring": "yes"})
    assert done.status_code == 200 and "No document on file" not in done.text, done.text[-2000:]
    refused = client.post(f"/members/{member}/documents", files={"file": ("c.pdf", PDF, "application/pdf")},
                          data={"csrf_token": csrf, **_form()})
    assert refused.status_code == 403
