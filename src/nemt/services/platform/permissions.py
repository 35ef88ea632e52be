"""The one permissions table: which roles may take each action. Services check it (``require``), the API states it on
each route (``nemt.http.deps.allowed``), the pages check it and show only the links a role may use; a generated test
walks every route and page against it for every role (tests/platform/test_permissions.py).

Which *rows* an allowed user then sees (their program, their organization's trips, a driver's own legs) is the
visibility module's business: ``nemt.store.visibility``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from nemt.domain.actors import Actor, Role
from nemt.services.platform.errors import Forbidden


class Action(StrEnum):
    MEMBER_SEARCH = "member.search"  # find members by Medicaid ID or name and birth date
    MEMBER_BROWSE = "member.browse"  # the member search page (a facility finds members on its urgent-ride page)
    MEMBER_READ = "member.read"
    MEMBER_IMPORT = "member.import"
    RIDE_BOOK = "ride.book"  # book, change and cancel rides and standing orders
    RIDE_BOOK_PAGE = "ride.book-page"  # the agent's booking pages (a facility books on its urgent-ride page)
    RIDE_BOOK_URGENT = "ride.book-urgent"  # a facility's urgent-ride page
    RIDE_READ = "ride.read"
    NOTICE_READ = "notice.read"
    # Record a medical professional's written certification for a member (which statements, who signed, when); the
    # member's pending rides are decided again (nemt.services.rides.certifications)
    CERTIFICATION_RECORD = "certification.record"
    PENDING_READ = "ride.pending"  # the pending worklist: rides waiting for a certification or prior authorization
    DISPATCH = "dispatch.plan"  # schedule a day, assign and move legs, insert urgent rides, the dispatch board
    MANIFEST_READ = "manifest.read"
    TRIP_LOG_RECORD = "trip-log.record"
    TRIP_LOG_READ = "trip-log.read"
    DRIVER_DAY = "driver.day"  # the driver's manifest page
    TRIP_PIN_ISSUE = "trip-pin.issue"  # issue a member's trip PIN (attests trips on the driver's phone; issue 15)
    PROVIDER_DESK = "provider.desk"  # a transportation provider's pages: assigned trips, fleet, claims
    CLAIM_WRITE = "claim.write"  # build, export, replace, void, post remittances, the billing profile
    CLAIM_READ = "claim.read"
    # The State Contracted Broker's side of the broker service area: adjudicate and pay the claims providers sent it
    # (an 835 per provider) and report the paid trips to the Department as encounters (Payment for Covered Services)
    CLAIM_ADJUDICATE = "claim.adjudicate"
    NETWORK_ENROL = "network.enrol"  # enrol transportation and medical providers (imports)
    NETWORK_ADMIN = "network.admin"  # import a provider's drivers and vehicles
    CREDENTIALS_READ = "credentials.read"
    REPORT_READ = "report.read"
    AUDIT_READ = "audit.read"
    AUDIT_DISCLOSURES = "audit.disclosures"  # a member's accounting of disclosures: who read or changed it
    ACCOUNT_SELF = "account.self"  # one's own account: second factor, API tokens (every role)
    USER_ADMIN = "user.admin"  # list, create, disable, enable, reset users, change roles, lift lockouts (scoped)
    ORGANIZATION_ADMIN = "organization.admin"  # list, create and deactivate the organizations of a program
    # Program integrity (issue 15): the provider analytics, and review cases (open, hold payments, note, release, deny)
    INTEGRITY_READ = "integrity.read"
    CASE_REVIEW = "integrity.case"
    # Complaints and grievances (issue 16, point 5): record one (agent, facility, provider, administrator); read those
    # the store's visibility gives; investigate (notes) and resolve; the complaints report
    COMPLAINT_RECORD = "complaint.record"
    COMPLAINT_READ = "complaint.read"
    COMPLAINT_INVESTIGATE = "complaint.investigate"
    COMPLAINT_REPORT = "complaint.report"
    # Meals and lodging with receipts (issue 17, point 2; Ancillary Services: Meals/Lodging): recorded by the trip's
    # provider, or by the broker's agents, whom members ask for out-of-state travel ("Train, Air and Out-of-State
    # Travel": "must contact their SDE ... The SDE will request the required documentation"); read with the receipt
    EXPENSE_RECORD = "expense.record"
    EXPENSE_READ = "expense.read"
    # Eligibility with the payer (issue 17, point 5; Member Eligibility): send a 270 for a member and date of service
    # and read the payer's 271 (those who book rides); an 834 enrollment file is a member import (MEMBER_IMPORT)
    ELIGIBILITY_CHECK = "eligibility.check"
    # A member's documents on file (issue 16, point 3): record a certification, a 25-mile verification form or a prior
    # authorization with its file (the member's pending rides are decided again) — those who record certifications;
    # read the list and download a file — the roles that read the member, but not drivers (minimum necessary); the
    # store's member visibility applies (a provider's or facility's own members only)
    DOCUMENT_RECORD = "document.record"
    DOCUMENT_READ = "document.read"
    # The Verification Form for Transportation Services More Than 25 Miles alone: also the transportation provider,
    # for its own members ("It is the NEMT driver or provider's responsibility to get this form signed by the member's
    # provider", 25 Mile or Longer Trips); the provider's administrator records it for the provider's drivers
    FORM_25MI_RECORD = "document.record-25mi-form"


_A, _D, _P, _DR, _F, _AU, _AD = (Role.AGENT, Role.DISPATCHER, Role.PROVIDER_ADMIN, Role.DRIVER, Role.FACILITY_SCHEDULER,
                                 Role.AUDITOR, Role.ADMIN)

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.MEMBER_SEARCH: frozenset({_A, _D, _F, _AU, _AD}),
    Action.MEMBER_BROWSE: frozenset({_A, _D, _AU, _AD}),
    Action.MEMBER_READ: frozenset({_A, _D, _F, _AU, _AD, _P, _DR}),
    Action.MEMBER_IMPORT: frozenset({_AD}),
    Action.RIDE_BOOK: frozenset({_A, _D, _F}),
    Action.RIDE_BOOK_PAGE: frozenset({_A, _D}),
    Action.RIDE_BOOK_URGENT: frozenset({_F}),
    Action.RIDE_READ: frozenset({_A, _D, _P, _DR, _F, _AU, _AD}),
    Action.NOTICE_READ: frozenset({_A, _D, _F, _AU, _AD}),
    Action.CERTIFICATION_RECORD: frozenset({_A, _D, _AD}),
    Action.PENDING_READ: frozenset({_A, _D, _AU, _AD}),
    Action.DISPATCH: frozenset({_D, _AD}),
    Action.MANIFEST_READ: frozenset({_D, _AD, _P, _DR}),
    Action.TRIP_LOG_RECORD: frozenset({_DR}),
    Action.TRIP_LOG_READ: frozenset({_DR, _P, _D, _AU, _AD}),
    Action.DRIVER_DAY: frozenset({_DR}),
    Action.TRIP_PIN_ISSUE: frozenset({_A, _AD}),
    Action.PROVIDER_DESK: frozenset({_P}),
    Action.CLAIM_WRITE: frozenset({_P, _AD}),
    Action.CLAIM_READ: frozenset({_P, _AU, _AD}),
    Action.CLAIM_ADJUDICATE: frozenset({_AD}),
    Action.NETWORK_ENROL: frozenset({_AD}),
    Action.NETWORK_ADMIN: frozenset({_AD, _P}),
    Action.CREDENTIALS_READ: frozenset({_D, _P, _AU, _AD}),
    Action.REPORT_READ: frozenset({_AU, _AD, _D}),
    Action.AUDIT_READ: frozenset({_AU, _AD}),
    Action.AUDIT_DISCLOSURES: frozenset({_AU, _AD}),  # 45 CFR 164.528
    Action.ACCOUNT_SELF: frozenset(Role),
    # Which users and roles each may manage (their program's; a provider's own drivers and administrators):
    # nemt.services.platform.accounts.
    Action.USER_ADMIN: frozenset({_AD, _P}),
    Action.ORGANIZATION_ADMIN: frozenset({_AD}),
    Action.INTEGRITY_READ: frozenset({_AU, _AD}),
    Action.CASE_REVIEW: frozenset({_AU, _AD}),
    Action.COMPLAINT_RECORD: frozenset({_A, _F, _P, _AD}),
    Action.COMPLAINT_READ: frozenset({_A, _F, _P, _AU, _AD}),
    Action.COMPLAINT_INVESTIGATE: frozenset({_A, _AD}),
    Action.COMPLAINT_REPORT: frozenset({_A, _AU, _AD}),
    Action.EXPENSE_RECORD: frozenset({_P, _A, _AD}),
    Action.EXPENSE_READ: frozenset({_P, _A, _AU, _AD}),
    Action.ELIGIBILITY_CHECK: frozenset({_A, _D, _AD}),
    Action.DOCUMENT_RECORD: frozenset({_A, _D, _AD}),
    Action.DOCUMENT_READ: frozenset({_A, _D, _F, _P, _AU, _AD}),
    Action.FORM_25MI_RECORD: frozenset({_A, _D, _P, _AD}),
}

_WORDS = {Action.TRIP_LOG_RECORD: "record trip logs", Action.TRIP_LOG_READ: "read trip logs",
          Action.DOCUMENT_RECORD: "record this kind of document (a transportation provider records only the 25-mile "
                                  "verification form)"}


def roles_for(action: Action) -> frozenset[Role]:
    return PERMISSIONS[action]


def may(actor: Actor, action: Action) -> bool:
    """The system (a command or a job) may do everything; a user, what the table gives their role."""
    return actor.is_system or actor.role in PERMISSIONS[action]


def require(actor: Actor, action: Action) -> None:
    if not may(actor, action):
        what = _WORDS.get(action, "do this")
        raise Forbidden(f"the role {actor.role!r} may not {what}", rule="role-based access")


def roles_text(actions: Iterable[Action]) -> str:
    """The roles of an action as the API documentation states them."""
    roles = sorted({str(r) for a in actions for r in PERMISSIONS[a]})
    return "Roles: " + ", ".join(roles) + "."


# Every action has its row: a new Action without one fails at import, not at the first request.
_missing = set(Action) - set(PERMISSIONS)
if _missing:
    raise RuntimeError(f"permissions table has no row for {sorted(_missing)}")
