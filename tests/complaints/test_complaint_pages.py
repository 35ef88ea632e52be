"""The complaint pages in process: a facility files on the ride it booked (a wrong confirmation number is refused on
the form, in words), the provider's list holds only its own trips' complaints, the agent's report offers the CSV, a
member's complaints page lists the resolution notice."""

from __future__ import annotations

from nemt import clock
from nemt.services import complaints
from tests.complaints.conftest import actor
from tests.web.helpers import sign_in


def test_the_complaint_pages(client, booked):
    csrf = sign_in(client, "facility")
    form = {"csrf_token": csrf, "category": "safety", "reported_by": "facility",
            "description": "The driver did not strap the wheelchair down."}
    wrong = client.post("/complaints/new", data={**form, "confirmation": booked.confirmations[0]})
    assert wrong.status_code == 404 and "no trip with this confirmation number that you may see" in wrong.text
    r = client.post("/complaints/new", data={**form, "confirmation": booked.confirmations[1]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "Peak Wheelchair Vans (demo)" in page.text and booked.confirmations[1] in page.text
    assert "Add the note" not in page.text  # a facility files and reads; the broker investigates

    sign_in(client, "provider")  # Mile High Mobility: not this complaint's provider
    assert booked.confirmations[1] not in client.get("/complaints").text

    sign_in(client, "agent")
    listed = client.get("/complaints?status=open")
    assert booked.confirmations[1] in listed.text and "Complaints per 1,000 trips" in listed.text
    csv = client.get("/complaints/report.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("provider,category,complaints")
    assert "Peak Wheelchair Vans (demo),safety,1" in csv.text

    key = r.headers["location"].rsplit("/", 1)[1]
    with booked.uow() as uow:
        agent = actor(uow, "agent")
        complaints.add_note(uow, agent, key, complaints.NoteIn(text="Spoke to the driver."), clock.now())
        complaints.resolve(uow, agent, key, complaints.ResolutionIn(
            finding="substantiated", resolution="The driver was retrained on securing wheelchairs."), clock.now())
    member = client.get(f"/members/{booked.members['plain']}/complaints")
    assert member.status_code == 200 and "retrained on securing wheelchairs" in member.text
