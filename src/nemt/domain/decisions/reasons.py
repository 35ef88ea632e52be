"""The reason-code table: every reason code once, with its kind, the document sections it rests on (by program)
and the plain-words message for a call-center agent; and the outcomes and reason kinds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Outcomes and reason kinds.
APPROVED, DENIED, PENDING = "approved", "denied", "pending"
DENY, HOLD, INFO = "deny", "pending", "info"


@dataclass(frozen=True)
class ReasonSpec:
    """What a reason code means: its kind, the document sections by program, and the agent's message.

    ``message`` may name values in braces (``{radius}``); the rule that finds the code supplies them. Messages never
    carry member data (name, ID, birth date).
    """

    kind: str
    sections: Mapping[str, tuple[str, ...]]
    message: str


_CT_OVERVIEW = ("overview",)
_CT_CONTRACT = ("NEMT Contract (updated December 7, 2017)",)

REASONS: dict[str, ReasonSpec] = {
    # ---- denials
    "member-not-eligible": ReasonSpec(
        DENY, {"CO": ("Member Eligibility",), "CT": _CT_OVERVIEW},
        "The member has no {covering} coverage on the date of service ({date_of_service}), so NEMT cannot be provided.",
    ),
    "benefit-plan-excluded": ReasonSpec(
        DENY, {"CO": ("Member Eligibility",)},
        "The member's only coverage on the date of service is {plans}, a benefit plan that does not include NEMT.",
    ),
    "other-transportation-available": ReasonSpec(
        DENY, {"CO": ("Member Eligibility", "Benefit Overview", "Exclusions"), "CT": _CT_OVERVIEW},
        "The member has another means of transportation (free transportation, PACE, or transportation covered by "
        "another entity such as the VA or a school); NEMT is only for members with no other means.",
    ),
    "service-not-covered": ReasonSpec(
        DENY,
        {"CO": ("Benefit Overview", "Covered Benefits and Limitations", "Exclusions", "Urgent NEMT"),
         "CT": _CT_OVERVIEW},
        "The service at the destination is not a Medicaid-covered service; NEMT only goes to covered services.",
    ),
    "provider-not-enrolled": ReasonSpec(
        DENY, {"CO": ("Benefit Overview", "Covered Benefits and Limitations")},
        "The destination provider is not enrolled with Health First Colorado to deliver this service.",
    ),
    "hcbs-use-nmt": ReasonSpec(
        DENY, {"CO": ("Benefit Overview",)},
        "Rides to Home and Community Based Services are provided through Non-Medical Transportation (NMT), not NEMT.",
    ),
    "pharmacy-mail-order-available": ReasonSpec(
        DENY, {"CO": ("Trips to Pharmacies",)},
        "Prescription pickups are covered only when mail order is not available; mail order is available here.",
    ),
    "facility-transport-responsibility": ReasonSpec(
        DENY, {"CO": ("Exclusions",)},
        "The member lives in a nursing facility or group home, the service is part of the facility's program and the "
        "facility has a vehicle available: the facility provides this ride.",
    ),
    "school-funded-day-treatment": ReasonSpec(
        DENY, {"CO": ("Ancillary Services: Escort",)},
        "Rides to a school-funded day treatment program are not covered unless the child's IEP specifies "
        "specialized transportation.",
    ),
    "not-closest-provider": ReasonSpec(
        DENY, {"CO": ("25 Mile or Longer Trips",)},
        "The destination is {miles} from home, beyond the {radius}-mile radius, while a qualified provider "
        "within {radius} miles accepts the member. None of the exceptions applies ({exceptions}), so NEMT goes to the "
        "closest qualified provider.",
    ),
    "escort-required": ReasonSpec(
        DENY, {"CO": ("Ancillary Services: Escort",)},
        "The member is under {min_age} and may not travel without an escort; add an escort to the ride.",
    ),
    "caregiver-trip-not-covered": ReasonSpec(
        DENY, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "Caregiver trips are covered only for a child member aged {max_age} or younger; this member is older.",
    ),
    "insufficient-notice": ReasonSpec(
        DENY, {"CT": _CT_CONTRACT},
        "The ride was asked for {given}, not counting weekends and holidays; a ride needs at "
        "least {needed}. Only an urgent need for an appointment today or tomorrow is taken with less: "
        "for one, {call} as soon as you can.",
    ),
    # ---- pending
    "prior-authorization-required": ReasonSpec(
        HOLD,
        {"CO": ("Train, Air and Out-of-State Travel", "Ground Ambulance", "Air Ambulance", "Commercial Air", "Train")},
        "{what} must be prior authorized by the Department; the office arranging the ride asks for it and the ride "
        "waits for the Department's decision.",
    ),
    "certification-required": ReasonSpec(
        HOLD,
        {"CO": ("Mobility/Ambulatory Vehicles", "Taxicab", "Wheelchair Van", "Stretcher Van", "Ground Ambulance",
                "Air Ambulance", "Commercial Air", "Train")},
        "The {mode} ride needs the medical professional's written certification that {missing}; the ride waits "
        "until it is on file.",
    ),
    "minor-release-required": ReasonSpec(
        HOLD, {"CO": ("Ancillary Services: Escort",)},
        "A minor aged {min_age} to {max_age} may travel alone only with a written release from a parent or guardian "
        "(an adult receives the minor at both ends); the ride waits for the release or an escort.",
    ),
    "caregiver-order-required": ReasonSpec(
        HOLD, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "A caregiver trip needs the treating provider's signed and dated order for the caregiver's participation; "
        "the ride waits until it is on file.",
    ),
    # ---- information
    "out-of-state": ReasonSpec(
        INFO, {"CO": ("Train, Air and Out-of-State Travel",)},
        "The destination is out of state and not a listed border town.",
    ),
    "mode-downgraded": ReasonSpec(
        INFO, {"CO": ("Payment for Covered Services", "Wheelchair Van", "Stretcher Van", "Ground Ambulance")},
        "The certifications on file support {mode}, the least costly suitable mode, not the requested {requested}.",
    ),
    "closest-provider-exception": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "The destination is beyond the {radius}-mile radius, but an exception applies ({exception}).",
    ),
    "verification-form-required": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "The trip is over {radius} miles one way: the Verification Form for Transportation Services More Than "
        "{radius} Miles is needed, signed by the member's treating or referring provider. Getting it signed is the "
        "NEMT driver's or provider's job: drivers cannot require members to obtain the signatures. It need not be "
        "signed before the trip.",
    ),
    "verification-form-on-file": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "A Verification Form for Transportation Services More Than {radius} Miles signed within {valid_days} days "
        "covers this recurring appointment.",
    ),
    "escort-approved": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "The escort's transportation is covered: the member is a child or an at-risk adult and the attending "
        "provider's written certification is on file.",
    ),
    "escort-not-covered": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "The escort may ride along but is not covered: covering an escort needs a child or at-risk adult member and "
        "the attending provider's written certification.",
    ),
    "second-escort-approved": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "A second escort is covered: the medical provider certified its medical necessity in writing.",
    ),
    "second-escort-not-covered": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "Escorts beyond the first are not covered without the medical provider's written certification for a "
        "second escort.",
    ),
    "escort-return-trip": ReasonSpec(
        INFO, {"CO": ("Train, Air and Out-of-State Travel",)},
        "The member is being placed in residential treatment: the escort's return trip without the member is "
        "covered.",
    ),
    "additional-passenger-allowed": ReasonSpec(
        INFO, {"CO": ("Child or At-Risk Adult Accompaniment",)},
        "Additional passengers who may ride along for lack of child or at-risk adult care: {count}. Their names "
        "must be in the trip log.",
    ),
    "additional-passenger-not-covered": ReasonSpec(
        INFO, {"CO": ("Child or At-Risk Adult Accompaniment", "Exclusions")},
        "Additional passengers who do not qualify to ride along and are not covered: {count}.",
    ),
    "ancillary-meals-lodging": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Meals/Lodging",)},
        "The travel cannot be completed in one calendar day: the member's meals and lodging may be covered (one unit "
        "per day each, only what the member is actually charged).",
    ),
    "escort-meals-lodging": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Meals/Lodging",)},
        "The covered escort's meals and lodging may also be covered (one unit per day each).",
    ),
    "caregiver-trip-for-child": ReasonSpec(
        INFO, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "The caregiver travels for the direct benefit of the child member (the child is not in the vehicle); the "
        "treating provider's order is on file.",
    ),
    "urgent": ReasonSpec(
        INFO, {"CO": ("Urgent NEMT",), "CT": _CT_CONTRACT},
        "Urgent ride ({reason}): the member could not give advance notice.",
    ),
}
