"""Where the destination is: the 25-mile rule (closest provider, Verification Form) and out-of-state travel
(Colorado)."""

from __future__ import annotations

from collections.abc import Iterable

from nemt.domain.decisions.values import Facts, Finding
from nemt.domain.decisions.words import NEED_WORDS, joined, miles

# 25 Mile or Longer Trips, the exceptions to the closest provider, in the manual's order and in plain words.
EXCEPTION_WORDS = (
    "the closest provider will not accept the member",
    NEED_WORDS["complex-medical-condition"],  # the certification the exception rests on, said the same way
    "the member moved within the last three months and keeps the established provider of the old locale",
)


def closest_provider(f: Facts) -> Iterable[Finding]:
    """25 Mile or Longer Trips: the closest provider is one within the radius of the residence, or the nearest one if
    none practises within it; exceptions: the closest provider will not accept the member, complex medical
    conditions, a move within three months to keep the established provider. Exactly the radius is inside.

    The Verification Form (effective 2024-05-01) is informational: "The provider signature is not required prior to
    the NEMT trip happening"; a form is valid for recurring appointments from its signature date through the
    policy's valid days, inclusive."""
    radius = f.policy.get("distance.radius_miles")
    d = f.destination
    if d.miles_from_home <= radius:
        return
    if d.closest_qualified_provider_miles is not None:
        exceptions = _closest_provider_exceptions(f)
        if exceptions:
            yield Finding("closest-provider-exception", {"radius": radius, "exception": joined(exceptions)})
        else:
            yield Finding("not-closest-provider", {"radius": radius,
                                                   "miles": miles(d.miles_from_home, beyond=radius),
                                                   "exceptions": joined(EXCEPTION_WORDS, "or", ";")})
    if f.date_of_service >= f.policy.get("distance.verification_form_effective"):
        yield _verification_form(f, radius)


def _closest_provider_exceptions(f: Facts) -> list[str]:
    """25 Mile or Longer Trips, the exceptions to the closest provider: it will not accept the member; complex
    medical conditions; a move within three months to keep the established provider."""
    d = f.destination
    holds = (
        not d.closest_provider_accepts_member,
        f.need("complex-medical-condition"),
        f.member.moved_within_3_months and d.established_provider_previous_locale,
    )
    return [words for words, held in zip(EXCEPTION_WORDS, holds, strict=True) if held]


def _verification_form(f: Facts, radius: object) -> Finding:
    """25 Mile or Longer Trips: the Verification Form for Transportation Services More Than 25 Miles; a form signed
    within the policy's valid days (inclusive) covers a recurring appointment."""
    valid_days = f.policy.get("distance.verification_form_valid_days")
    signed = f.trip.verification_form_25mi_signed_on
    on_file = (
        f.trip.recurring and signed is not None and 0 <= (f.date_of_service - signed).days <= valid_days
    )
    code = "verification-form-on-file" if on_file else "verification-form-required"
    return Finding(code, {"radius": radius, "valid_days": valid_days})


def out_of_state(f: Facts) -> Iterable[Finding]:
    """Train, Air and Out-of-State Travel: "out-of-state travel must be prior authorized by the Department"; a Border
    Town/City of Appendix F follows the in-state rules. A prior authorization on file covering out-of-state travel
    on the date of service (``trip.prior_authorized``, nemt.domain.documents) meets the requirement."""
    d = f.destination
    if d.state.upper() != f.policy.state.upper() and not d.border_town:
        section = ("Train, Air and Out-of-State Travel",)
        yield Finding("out-of-state", sections=section)
        if "out-of-state" not in f.trip.prior_authorized:
            yield Finding("prior-authorization-required", {"what": "Out-of-state travel"}, sections=section)
