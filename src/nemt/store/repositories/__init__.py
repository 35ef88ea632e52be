"""Repositories: the store's vocabulary for the services, one module per aggregate. They add and find; the unit of
work (``nemt.store.uow``) commits. All SQL of the platform lives here and in ``nemt.store.visibility``."""

from nemt.store.repositories.accounts import AccountRepository
from nemt.store.repositories.admin import AdminRepository
from nemt.store.repositories.audit import AuditRepository
from nemt.store.repositories.base import Repository
from nemt.store.repositories.claims import ClaimRepository
from nemt.store.repositories.dispatch import DispatchRepository
from nemt.store.repositories.evidence import EvidenceRepository
from nemt.store.repositories.jobs import JobRepository
from nemt.store.repositories.live_day import LiveDayRepository
from nemt.store.repositories.members import MemberRepository
from nemt.store.repositories.network import NetworkRepository
from nemt.store.repositories.platform import ControlNumbers, OrganizationRepository, UserRepository
from nemt.store.repositories.reports import ReportRepository
from nemt.store.repositories.rides import RideRepository
from nemt.store.repositories.trips import TripLogRepository

__all__ = [
    "AdminRepository",
    "AccountRepository",
    "AuditRepository", "ClaimRepository", "ControlNumbers", "DispatchRepository", "EvidenceRepository", "JobRepository",
    "LiveDayRepository",
    "MemberRepository",
    "NetworkRepository", "OrganizationRepository", "ReportRepository", "Repository", "RideRepository",
    "TripLogRepository", "UserRepository",
]
