"""A value a column cannot hold, typed into a form: the store refuses it at the flush (``nemt.store.limits``), and
the page answers with the 422 error page naming the field and the rule — not a generic server error — on SQLite
(which enforces no length) and on PostgreSQL alike, with nothing written (issue 14, item 7)."""

from __future__ import annotations

import pytest

from tests.web.helpers import sign_in

PROFILE = {"address_line": "1 Main St", "city": "Denver", "state": "CO", "zip": "80202", "tax_id": "123456789",
           "submitter_id": "S1", "submitter_name": "Mile High Billing", "contact_name": "Pat", "phone": "3035550100"}


@pytest.mark.parametrize(("field", "value", "rule"), [
    ("submitter_name", "x" * 500, "field length"),
    ("contact_name", "Pat\x00Smith", "text without NUL"),
])
def test_a_form_value_its_column_cannot_hold_is_the_422_page_naming_the_field(client, field, value, rule):
    csrf = sign_in(client, "provider")
    r = client.post("/provider/claims/profile", data={**PROFILE, field: value, "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "Invalid input" in r.text and f"field: {field}" in r.text and f"Rule: {rule}" in r.text
    assert "x" * 100 not in r.text  # the refused value is not echoed back
    # Nothing was written: the same form with acceptable values is the first profile the provider has.
    page = client.get("/provider/claims")
    assert page.status_code == 200 and "Mile High Billing" not in page.text
    ok = client.post("/provider/claims/profile", data={**PROFILE, "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303, ok.text
