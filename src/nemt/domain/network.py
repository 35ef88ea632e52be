"""The provider network's rules, pure: may this driver and this vehicle carry this trip on this date?

"Providers are prohibited from providing NEMT services using drivers or vehicles that fail credentialing."
(Health First Colorado NEMT Billing Manual — Eligible Providers). The credentials each program requires, the
permits each mode needs and the modes each vehicle type can serve are policy values (``[credentials]``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nemt.policy import Policy

VEHICLE_TYPES = ("sedan", "mobility-ambulatory", "wheelchair-van", "stretcher-van", "ambulance")
PERMIT_TYPES = ("contract-carrier", "common-carrier", "luxury-limousine", "puc-authority", "county-ambulance-licence")


@dataclass(frozen=True)
class Credential:
    """A dated credential: ``kind`` (licence, background_check, training, inspection, insurance, permit),
    when it expires (None = does not expire) and, for permits, the permit type."""

    kind: str
    expires_on: dt.date | None
    detail: str = ""


@dataclass(frozen=True)
class DriverFacts:
    name: str
    active: bool
    credentials: tuple[Credential, ...]


@dataclass(frozen=True)
class VehicleFacts:
    label: str
    vehicle_type: str
    active: bool
    credentials: tuple[Credential, ...]
    seats: int = 0
    wheelchair_positions: int = 0
    stretcher_positions: int = 0


@dataclass(frozen=True)
class CredentialProblem:
    subject: str  # "driver" or "vehicle"
    credential: str  # the credential that blocks: "licence", "inspection", "permit", "vehicle type", …
    reason: str
    citation: str

    def __str__(self) -> str:
        return f"{self.subject} {self.credential}: {self.reason}"


@dataclass(frozen=True)
class Eligibility:
    problems: list[CredentialProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _valid_on(cred: Credential, day: dt.date) -> bool:
    return cred.expires_on is None or cred.expires_on >= day


def _check_required(subject: str, creds: tuple[Credential, ...], required: list[str], day: dt.date,
                    citation: str) -> list[CredentialProblem]:
    problems = []
    for kind in required:
        held = [c for c in creds if c.kind == kind]
        if not held:
            problems.append(CredentialProblem(subject, kind, "not on file", citation))
        elif not any(_valid_on(c, day) for c in held):
            latest = max(c.expires_on for c in held if c.expires_on)
            problems.append(CredentialProblem(subject, kind, f"expired on {latest.isoformat()}", citation))
    return problems


def check_assignment(driver: DriverFacts, vehicle: VehicleFacts, mode: str, day: dt.date,
                     policy: Policy) -> Eligibility:
    """Every reason the driver and vehicle may not carry a trip of ``mode`` on ``day`` (none = may)."""
    citation = policy.cite("credentials")
    problems: list[CredentialProblem] = []
    if not driver.active:
        problems.append(CredentialProblem("driver", "status", "inactive", citation))
    if not vehicle.active:
        problems.append(CredentialProblem("vehicle", "status", "inactive", citation))
    problems += _check_required("driver", driver.credentials, policy.get("credentials.driver_credentials"), day,
                                citation)
    vehicle_required = [k for k in policy.get("credentials.vehicle_credentials") if k != "permit"]
    problems += _check_required("vehicle", vehicle.credentials, vehicle_required, day, citation)

    serves = policy.get("credentials.vehicle_modes").get(vehicle.vehicle_type, [])
    if mode not in serves:
        problems.append(CredentialProblem("vehicle", "vehicle type",
                                          f"a {vehicle.vehicle_type} vehicle does not serve {mode}", citation))
    permits = policy.get("credentials.permits_by_mode", {}).get(mode)
    if permits and "permit" in policy.get("credentials.vehicle_credentials"):
        held = [c for c in vehicle.credentials if c.kind == "permit" and c.detail in permits]
        mode_cite = policy.cite(f"modes.{mode}") if policy.has(f"modes.{mode}") else citation
        if not held:
            problems.append(CredentialProblem("vehicle", "permit",
                                              f"{mode} needs one of: {', '.join(permits)}", mode_cite))
        elif not any(_valid_on(c, day) for c in held):
            latest = max(c.expires_on for c in held if c.expires_on)
            problems.append(CredentialProblem("vehicle", "permit", f"expired on {latest.isoformat()}", mode_cite))
    return Eligibility(problems)


def expiring(
    credentials: list[tuple[str, Credential]], today: dt.date, within_days: int
) -> list[tuple[str, Credential, int]]:
    """Credentials expiring from ``today`` through ``today + within_days``: (owner, credential, days left)."""
    out = []
    for owner, cred in credentials:
        if cred.expires_on is None:
            continue
        left = (cred.expires_on - today).days
        if 0 <= left <= within_days:
            out.append((owner, cred, left))
    return sorted(out, key=lambda t: (t[2], t[0], t[1].kind))


def vehicle_space(policy: Policy, mode: str) -> str:
    """The space a member of ``mode`` takes on board: "seat", "wheelchair" or "stretcher" (policy
    ``modes.<mode>.vehicle_space``; a mode without one takes a seat)."""
    return str(policy.modes.get(mode, {}).get("vehicle_space", "seat"))
