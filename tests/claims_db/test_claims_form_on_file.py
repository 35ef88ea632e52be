"""The 25-mile verification form on file is the claim's attachment (25 Mile or Longer Trips: the form "should be
submitted when the claim(s) are submitted"; "A rationale and certification from the member's treating provider"):
a long trip's claim over 52 mileage units is still suspended for review, but not denied for a missing attachment
when the member's form for the trip's destination is on file for the date — whatever the driver ticked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nemt import clock
from nemt.services import claims as claims_service
from nemt.services.members.documents import DocumentIn, record_document
from nemt.store.models import Claim, Member
from tests.claims_db.conftest import DAY, complete
from tests.documents.conftest import PDF

TODAY = DAY + dt.timedelta(days=5)


def _edits(world, leg: str) -> set[str]:
    with world.uow() as uow:
        result = claims_service.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, DAY),
                                                          today=TODAY)
        stored = {e["code"] for row in uow.session.scalars(select(Claim))
                  for e in claims_service.claim_view(uow, row)["edits"] if e["ref"] == leg}
    return stored | {e["code"] for e in result.edits if e["ref"] == leg}


def _form(world, member: int, *, destination_name: str, signed_on: dt.date, recurring: bool = True) -> None:
    with world.uow() as uow:
        key = uow.session.get(Member, world.member_ids[member]).key
    fields = {"kind": "verification-form-25mi", "destination_name": destination_name, "destination_zip": "80218",
              "recurring": recurring, "signed_by": "Dr. Ada Example, MD (demo)", "signed_on": signed_on}
    if not recurring:
        fields["appointment_on"] = DAY
    with world.uow() as uow:
        record_document(uow, world.actor("agent"), key, DocumentIn.model_validate(fields), PDF, clock.now())


@pytest.mark.parametrize(("form", "denied"), [
    (None, True),  # nothing on file, the driver ticked nothing: denied for the missing attachment
    ({"destination_name": "Example Dialysis", "signed_on": DAY - dt.timedelta(days=30)}, False),  # recurring, valid
    ({"destination_name": "Example Dialysis", "signed_on": TODAY, "recurring": False}, False),  # signed after the trip
    ({"destination_name": "Another Clinic", "signed_on": DAY - dt.timedelta(days=30)}, True),  # another destination
    ({"destination_name": "Example Dialysis", "signed_on": DAY - dt.timedelta(days=91)}, True),  # past its 90 days
])
def test_the_form_on_file_is_the_long_trips_attachment(world, form, denied):
    far = world.make_leg(1)
    complete(world, far, miles=60, start=9)
    if form is not None:
        _form(world, 1, **form)
    edits = _edits(world, far)
    assert "mileage-over-52-units-needs-attachment" in edits  # still suspended for review
    assert ("attachment-missing-denied" in edits) is denied
