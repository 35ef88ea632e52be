"""A member's documents in Chromium (issue 16, point 3): a ride waits for the medical professional's written
certification; the agent opens the pending worklist, follows the ride to the member's documents, records the
certification with the signed PDF uploaded, sees the ride released, downloads the file back (an attachment) and
sees the ride gone from the worklist.

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`); the waiting
ride is booked through the API first (the booking pages have their own browser tests)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from nemt import clock
from nemt.policy import load_policy
from tests.web.test_browser import Shots, _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ZONE = load_policy("CO").time_zone
MEMBER_ID = "D100028"  # a Denver demo adult with no certification on file
PDF = b"%PDF-1.4\n%demo certification\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def shots():
    return Shots()


def _waiting_ride(context, base: str) -> str:
    """Book a ride for the member through the API; it waits for the certification. Returns its confirmation."""
    token = context.request.post(f"{base}/api/v1/auth/token",
                                 data={"username": "agent", "password": "agent-demo-2026"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    [member] = context.request.post(f"{base}/api/v1/members/search", data={"medicaid_id": MEMBER_ID},
                                    headers=headers).json()
    appointment = (clock.now().astimezone(ZONE).replace(hour=10, minute=0, second=0, microsecond=0)
                   + dt.timedelta(days=6))
    booked = context.request.post(f"{base}/api/v1/rides", headers=headers, data={
        "member": member["key"], "appointment_at": appointment.isoformat(), "requested_mode": "mobility-ambulatory",
        "destination": {"name": "Example Family Clinic (demo)", "address": "200 Example Ave", "zip": "80203",
                        "service": "primary-care", "provider_enrolled": True}}).json()
    assert booked["outcome"] == "pending", booked
    return booked["confirmation"]


def test_a_certification_uploaded_from_the_worklist_releases_the_ride(browser, server, shots):  # noqa: F811
    today = clock.now().astimezone(ZONE).date()
    context, page = _sign_in(browser, server, "agent")
    confirmation = _waiting_ride(context, server)
    shots.forbidden_in_urls = [MEMBER_ID]

    page.get_by_role("link", name="Pending rides").first.click()
    row = page.locator("#pending tbody tr", has_text=confirmation)
    assert "cannot use less costly modes" in row.inner_text()
    shots.take(page, "agent-pending-before-document")
    row.get_by_role("link", name="Record a document").click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}/documents$"))
    assert confirmation in page.inner_text("#member-waiting")
    assert "No document on file" in page.inner_text("#documents")

    page.get_by_label("Kind of document").select_option("certification")
    page.get_by_label("The member cannot use less costly modes of transportation").check()
    page.get_by_label("Signed by").fill("Dr. Ada Example, MD (demo)")
    page.get_by_label("Signature date").fill(today.isoformat())
    page.get_by_label("The signed document (PDF, PNG or JPEG)").set_input_files(
        files=[{"name": "certification.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    shots.take(page, "agent-document-form")
    page.get_by_role("button", name="Record the document and decide the waiting rides again").click()
    result = page.locator("#document-result").inner_text()
    assert "1 ride(s) released, 0 still waiting" in result, result
    assert confirmation in result
    on_file = page.locator("#documents tbody tr").first
    assert "Dr. Ada Example" in on_file.inner_text() and "current" in on_file.inner_text()
    shots.take(page, "agent-document-recorded")

    # The signed file comes back as a download (an attachment), its URL made of opaque keys only.
    with page.expect_download() as download:
        on_file.get_by_role("link", name=re.compile("PDF")).click()
    assert re.fullmatch(r"certification-[A-Za-z0-9_-]+\.pdf", download.value.suggested_filename)
    assert MEMBER_ID not in download.value.url
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF

    page.get_by_role("link", name="Pending rides").first.click()
    assert confirmation not in page.inner_text("main")
    shots.take(page, "agent-pending-after-document")
    context.close()
