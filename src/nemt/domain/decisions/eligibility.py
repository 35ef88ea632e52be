"""Eligibility and coverage rules: who may ride (both programs) and to which services (Colorado)."""

from __future__ import annotations

from collections.abc import Iterable

from nemt.domain.decisions.values import Facts, Finding
from nemt.domain.decisions.words import day_words, joined, plan_words
from nemt.domain.rides import FACILITY_RESIDENCES

# -- eligibility and coverage (both programs) -----------------------------------------------------------------------


def eligibility(f: Facts) -> Iterable[Finding]:
    """CO: Member Eligibility ("receiving Medicaid State Plan/Title XIX coverage on the date of service"; "not be
    within the following eligibility groups"). CT: overview ("Medicaid members ..."). Spans are inclusive."""
    plans = f.member.plans_on(f.date_of_service)
    covering = f.policy.get("eligibility.covering_plans")
    if plans.isdisjoint(covering):
        yield Finding("member-not-eligible", {"covering": joined(map(plan_words, covering), "or"),
                                              "date_of_service": day_words(f.date_of_service)})
        excluded = sorted(plans.intersection(f.policy.get("eligibility.excluded_plans")))
        if excluded:
            yield Finding("benefit-plan-excluded", {"plans": joined(map(plan_words, excluded))})


def other_transportation(f: Facts) -> Iterable[Finding]:
    """CO: Member Eligibility; Benefit Overview ("no other means of transportation, including free transportation");
    Exclusions ("covered by another entity"). CT: overview ("have no means of transportation")."""
    if f.member.has_other_transportation:
        yield Finding("other-transportation-available")


def covered_service(f: Facts) -> Iterable[Finding]:
    """CO: Covered Benefits and Limitations; Exclusions ("Transportation to/from non-covered medical services").
    CT: overview ("Medicaid-covered medical services")."""
    if not f.destination.service_covered:
        yield Finding("service-not-covered")


# -- Colorado only ----------------------------------------------------------------------------------------------------


def enrolled_provider(f: Facts) -> Iterable[Finding]:
    """Benefit Overview: "provider service locations that are enrolled to provide the service"."""
    if not f.destination.provider_enrolled:
        yield Finding("provider-not-enrolled")


def hcbs(f: Facts) -> Iterable[Finding]:
    """Benefit Overview: "Transportation to receive Home and Community Based Services (HCBS) must be provided through
    Non-Medical Transportation (NMT)"."""
    if f.trip.purpose == "hcbs":
        yield Finding("hcbs-use-nmt")


def pharmacy(f: Facts) -> Iterable[Finding]:
    """Trips to Pharmacies: "Prescription pickups (if mail order is not available)"."""
    if f.trip.purpose == "pharmacy-prescription" and f.trip.mail_order_available:
        yield Finding("pharmacy-mail-order-available")


def facility_transport(f: Facts) -> Iterable[Finding]:
    """Exclusions: nursing facility or group home residents to services "required in the facility's program, unless
    the facility does not have an available vehicle"."""
    m = f.member
    if m.residence in FACILITY_RESIDENCES and f.trip.facility_program_service and m.facility_has_vehicle is True:
        yield Finding("facility-transport-responsibility")


def school_day_treatment(f: Facts) -> Iterable[Finding]:
    """Ancillary Services: Escort: "Children are not eligible for NEMT travel to and from school-funded day treatment
    programs, unless it is for specialized transportation ... specified in the child's (IEP)"."""
    t = f.trip
    if t.purpose == "day-treatment" and t.school_funded_day_treatment and not t.iep_specialized_transportation:
        yield Finding("school-funded-day-treatment")
