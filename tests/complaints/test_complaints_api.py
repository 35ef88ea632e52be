"""The complaints API end to end: record on a ride, refuse resolving before the investigation (409 naming the rule),
note, resolve (the member's notice), the provider's and the facility's views, and the report as JSON."""

from __future__ import annotations

import datetime as dt

from nemt import clock
from nemt.policy import load_policy


def test_the_complaints_api(client, token_for, booked):
    agent = token_for("agent")
    r = client.post("/api/v1/complaints", headers=agent, json={
        "confirmation": booked.confirmations[0], "category": "driver-no-show", "reported_by": "member",
        "description": "Nobody came for the 9:15 pick-up."})
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["status"], c["trip"], c["member"], c["overdue"]) == ("open", booked.trips[0], booked.members["plain"],
                                                                    False)
    assert c["provider"] == "Mile High Mobility (demo)" and c["reference"].startswith("CO-C")

    early = client.post(f"/api/v1/complaints/{c['key']}/resolution", headers=agent,
                        json={"finding": "substantiated", "resolution": "Driver coached."})
    assert early.status_code == 409 and early.json()["rule"] == "complaint steps"
    assert "investigated before it is resolved" in early.json()["detail"]
    bad = client.post("/api/v1/complaints", headers=agent, json={"category": "lateness", "description": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "category"

    r = client.post(f"/api/v1/complaints/{c['key']}/notes", headers=agent, json={"text": "The driver's log shows "
                                                                                          "a no-show at 9:25."})
    assert r.status_code == 201 and r.json()["status"] == "investigating"
    r = client.post(f"/api/v1/complaints/{c['key']}/resolution", headers=agent,
                    json={"finding": "substantiated", "resolution": "The provider coached the driver."})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["finding"] == "substantiated" and [n["author"] for n in done["notes"]] == ["agent"]
    assert "substantiated" in done["notices"][0]["text"]

    # The provider sees it (its trip); the facility (filed nothing) does not; a driver may not read complaints.
    assert [x["key"] for x in client.get("/api/v1/complaints", headers=token_for("provider")).json()] == [c["key"]]
    assert client.get(f"/api/v1/complaints/{c['key']}", headers=token_for("facility")).status_code == 404
    assert client.get("/api/v1/complaints", headers=token_for("driver")).status_code == 403
    assert [x["key"] for x in client.get(f"/api/v1/complaints?member={booked.members['plain']}",
                                         headers=agent).json()] == [c["key"]]

    today = clock.now().astimezone(load_policy("CO").time_zone).date()
    r = client.get(f"/api/v1/complaints-report?start={today - dt.timedelta(days=30)}&end={today}",
                   headers=token_for("auditor"))
    assert r.status_code == 200, r.text
    rows = {(row[0], row[1]): row[2] for row in r.json()["rows"]}
    assert rows[("Mile High Mobility (demo)", "driver-no-show")] == 1
    assert rows[("all providers", "all categories")] == 1
