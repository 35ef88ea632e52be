"""A member's documents on file (issue 16, point 3): what each kind states, how long it counts, which newer document
supersedes which, and what the documents on file give a ride's decision. Pure: no I/O, no clock.

The kinds, and the sections of the Health First Colorado NEMT Billing Manual each rests on:

- ``certification`` — the medical professional's written certification of the member's condition (the mode sections:
  "Mobility/Ambulatory Vehicles", "Wheelchair Van", "Stretcher Van", "Ground Ambulance", …; "Ancillary Services:
  Escort"). The manual gives it no end date: it counts from its signature until a newer certification restates its
  statements.
- ``verification-form-25mi`` — "25 Mile or Longer Trips": "Effective May 1, 2024, the member's referring or treating
  provider must complete the Verification Form for Transportation Services More Than 25 Miles … The form will be
  valid for 90 days for recurring medical appointments (dialysis, cancer treatments, etc)" (the policy's
  ``distance.verification_form_valid_days``, inclusive from the signature date, as the decision reads it). A form for
  one appointment covers that appointment's date. "The provider signature is not required prior to the NEMT trip
  happening", so a form may be recorded after the trip.
- ``prior-authorization`` — "Train, Air and Out-of-State Travel": "Train, air and out-of-state travel must be prior
  authorized by the Department" (and "Ground Ambulance": "All out-of-state ground ambulance trips must be prior
  approved by the Department"): the modes (those the policy marks ``prior_authorization``) or the out-of-state travel
  it covers, from the first to the last date it covers.

A newer document of the same kind and subject supersedes the older one — a certification restating all of an older
one's statements, a form for the same destination (recurring appointments, or the same one appointment), an
authorization under the same number — and only documents not superseded count. Nothing is overwritten: the older
document stays on file, marked superseded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CERTIFICATION, VERIFICATION_FORM, PRIOR_AUTHORIZATION = "certification", "verification-form-25mi", "prior-authorization"
KINDS = (CERTIFICATION, VERIFICATION_FORM, PRIOR_AUTHORIZATION)
KIND_WORDS = {CERTIFICATION: "Medical professional's written certification",
              VERIFICATION_FORM: "25-mile verification form",
              PRIOR_AUTHORIZATION: "Prior authorization of the Department"}
# The section of the manual each kind rests on (its citation).
KIND_SECTIONS = {CERTIFICATION: "Payment for Covered Services", VERIFICATION_FORM: "25 Mile or Longer Trips",
                 PRIOR_AUTHORIZATION: "Train, Air and Out-of-State Travel"}
OUT_OF_STATE = "out-of-state"  # what a prior authorization covers besides modes


@dataclass(frozen=True)
class Document:
    """A document on file as the rules read it (no file, no member data). ``order`` is the recording order (a later
    document has a larger one); ``destination`` is :func:`destination_token` of a form's destination."""

    order: int
    kind: str
    signed_on: dt.date
    valid_from: dt.date
    valid_through: dt.date | None  # None: no end date (a certification)
    statements: frozenset[str] = frozenset()
    destination: str = ""
    recurring: bool = False
    covers: frozenset[str] = frozenset()
    authorization_number: str = ""

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_through is None or day <= self.valid_through)


def destination_token(provider_id: int | None, name: str = "", zip_code: str = "") -> str:
    """How a form's destination and a ride's are compared: the directory's medical provider, else the place's name
    (case and spacing ignored) at its five-digit ZIP code."""
    if provider_id is not None:
        return f"provider:{provider_id}"
    return f"place:{(zip_code or '')[:5]}:{' '.join((name or '').replace(',', ' ').split()).casefold()}"


def form_window(signed_on: dt.date, recurring: bool, appointment_on: dt.date | None,
                valid_days: int) -> tuple[dt.date, dt.date]:
    """25 Mile or Longer Trips: a form for recurring appointments counts from its signature date through
    ``valid_days`` (the policy's 90) later, inclusive; a form for one appointment, on that appointment's date."""
    if recurring:
        return signed_on, signed_on + dt.timedelta(days=valid_days)
    if appointment_on is None:
        raise ValueError("a form for one appointment names the appointment's date")
    return appointment_on, appointment_on


def _supersedes(newer: Document, older: Document) -> bool:
    if newer.kind != older.kind or newer.order <= older.order:
        return False
    if newer.kind == CERTIFICATION:
        return older.statements <= newer.statements
    if newer.kind == VERIFICATION_FORM:  # a form for recurring appointments, or for the same one appointment
        return newer.destination == older.destination and newer.recurring == older.recurring and (
            newer.recurring or newer.valid_from == older.valid_from)
    return newer.authorization_number.casefold() == older.authorization_number.casefold()


def superseded(documents: Sequence[Document]) -> dict[int, int]:
    """Which documents a newer one supersedes: ``{order of the older: order of the newest that supersedes it}``."""
    out: dict[int, int] = {}
    for older in documents:
        newer = [d.order for d in documents if _supersedes(d, older)]
        if newer:
            out[older.order] = max(newer)
    return out


def current(documents: Sequence[Document]) -> list[Document]:
    """The documents that count: those no newer document supersedes."""
    gone = superseded(documents)
    return [d for d in documents if d.order not in gone]


def covering_form(documents: Sequence[Document], destination: str, day: dt.date) -> Document | None:
    """The current verification form for recurring appointments at ``destination`` valid on ``day`` (the latest
    signed, when several are): what the decision reads as the form on file (25 Mile or Longer Trips)."""
    forms = [d for d in current(documents) if d.kind == VERIFICATION_FORM and d.recurring
             and d.destination == destination and d.valid_on(day)]
    return max(forms, key=lambda d: (d.signed_on, d.order), default=None)


def form_for_trip(documents: Sequence[Document], destination: str, day: dt.date) -> Document | None:
    """A current verification form at ``destination`` valid on ``day`` — for recurring appointments, or for that one
    appointment —, the latest signed: the treating or referring provider's certification the 25-mile attachment
    carries ("A rationale and certification from the member's treating provider as to why the member cannot be
    treated by the closest provider within 25 miles"; "The provider signature is not required prior to the NEMT trip
    happening"; 25 Mile or Longer Trips)."""
    forms = [d for d in current(documents) if d.kind == VERIFICATION_FORM and d.destination == destination
             and d.valid_on(day)]
    return max(forms, key=lambda d: (d.signed_on, d.order), default=None)


def authorized_on(documents: Iterable[Document], day: dt.date) -> frozenset[str]:
    """What the current prior authorizations cover on ``day``: modes and ``out-of-state`` (Train, Air and
    Out-of-State Travel)."""
    documents = list(documents)
    covered: set[str] = set()
    for d in current(documents):
        if d.kind == PRIOR_AUTHORIZATION and d.valid_on(day):
            covered |= d.covers
    return frozenset(covered)
