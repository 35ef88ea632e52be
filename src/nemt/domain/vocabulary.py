"""Closed vocabularies shared by the rules, the store and the interfaces (acceptance README, "Vocabularies")."""

from __future__ import annotations

# Written certifications on file (the mode sections; Ancillary Services: Escort; 25 Mile or Longer Trips;
# Transportation for the Direct Benefit of Children Under 21).
DOCUMENTED_NEEDS = (
    "cannot-use-less-costly-modes",
    "wheelchair-confined",
    "prone-or-supine",
    "ambulance-required",
    "air-ambulance-required",
    "commercial-air-required",
    "train-required",
    "escort-required",
    "second-escort",
    "complex-medical-condition",
    "caregiver-participation-ordered",
)

RESIDENCES = ("home", "nursing-facility", "group-home")

# A member's sex as the eligibility file, the 834 (DMG03) and the 837P (DMG03) write it: F, M, or U (unknown).
MEMBER_SEXES = ("F", "M", "U")
