"""The documents on file a ride is decided with (issue 16, point 3): the member's 25-mile verification form for the
ride's destination and the Department's prior authorizations (rules: ``nemt.domain.documents``) go into the domain's
:class:`nemt.domain.rides.RideRequest` through its own fields — ``verification_form_25mi_signed_on`` (25 Mile or
Longer Trips) and ``prior_authorized`` (Train, Air and Out-of-State Travel) — so ``decide`` itself and the
``nemt decide`` contract are unchanged. Certifications reach the decision as the member's documented needs."""

from __future__ import annotations

import dataclasses

from nemt.domain import documents, rides
from nemt.domain.dates import local_date
from nemt.policy import Policy
from nemt.services.rides.places import Cache, Place
from nemt.store.document_models import MemberDocument
from nemt.store.models import Member
from nemt.store.uow import UnitOfWork

__all__ = ["as_rule_document", "place_token", "with_documents_on_file"]


def as_rule_document(row: MemberDocument) -> documents.Document:
    """A stored document as the rules read it."""
    return documents.Document(
        order=row.id, kind=row.kind, signed_on=row.signed_on, valid_from=row.valid_from,
        valid_through=row.valid_through, statements=frozenset(row.statements or ()),
        destination=documents.destination_token(row.destination_provider_id, row.destination_name,
                                                row.destination_zip) if row.kind == documents.VERIFICATION_FORM else "",
        recurring=bool(row.recurring), covers=frozenset(row.covers or ()),
        authorization_number=row.authorization_number or "")


def place_token(place: Place) -> str:
    return documents.destination_token(place.provider.id if place.provider is not None else None, place.name,
                                       place.zip)


def _own_form_covers(trip: rides.Trip, day, valid_days: int) -> bool:
    signed = trip.verification_form_25mi_signed_on
    return signed is not None and 0 <= (day - signed).days <= valid_days


def with_documents_on_file(uow: UnitOfWork, member: Member, request: rides.RideRequest, place: Place,
                           policy: Policy, cache: Cache | None = None) -> rides.RideRequest:
    """The request with what the member's documents on file give it on the date of service: the signature date of
    a current form for recurring appointments at the destination (unless the request's own form date covers the
    day), and what the current prior authorizations cover. Unchanged when nothing on file applies. ``cache``: the
    documents read once for all the occurrences of one standing order."""
    cache = {} if cache is None else cache
    key = ("documents-on-file", member.id)
    if key not in cache:
        cache[key] = [as_rule_document(r) for r in uow.documents.of_member(member.id)]
    docs: list[documents.Document] = cache[key]
    if not docs:
        return request
    trip = request.trip
    day = local_date(trip.appointment_at, policy.time_zone)
    changes: dict[str, object] = {}
    if policy.has("distance"):
        valid_days = int(policy.get("distance.verification_form_valid_days"))
        form = documents.covering_form(docs, place_token(place), day)
        if form is not None and not _own_form_covers(trip, day, valid_days):
            changes["verification_form_25mi_signed_on"] = form.signed_on
    authorized = documents.authorized_on(docs, day)
    if authorized - trip.prior_authorized:
        changes["prior_authorized"] = trip.prior_authorized | authorized
    if not changes:
        return request
    return dataclasses.replace(request, trip=dataclasses.replace(trip, **changes))  # type: ignore[arg-type]
