"""Unit of work: a use case commits all of its changes or none (Architecture Patterns with Python, ch. 6).

``with uow_factory() as uow: ...; uow.commit()`` — leaving the block without commit rolls back. The repositories are
the unit of work's attributes, one per aggregate; services reach the database only through them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from nemt.store import repositories as repos
from nemt.store.database import default_session_factory, session_factory
from nemt.store.repositories.cases import CaseRepository
from nemt.store.repositories.complaints import ComplaintRepository
from nemt.store.repositories.documents import DocumentRepository
from nemt.store.repositories.eligibility import EligibilityRepository
from nemt.store.repositories.expenses import ExpenseRepository
from nemt.store.repositories.integrity import IntegrityRepository
from nemt.store.repositories.matrices import TravelMatrixRepository
from nemt.store.repositories.regions import RegionDayRepository


class UnitOfWork:
    session: Session
    members: repos.MemberRepository
    users: repos.UserRepository
    accounts: repos.AccountRepository
    admin: repos.AdminRepository
    organizations: repos.OrganizationRepository
    audit: repos.AuditRepository
    control_numbers: repos.ControlNumbers
    rides: repos.RideRepository
    trip_logs: repos.TripLogRepository
    evidence: repos.EvidenceRepository
    claims: repos.ClaimRepository
    dispatch: repos.DispatchRepository
    live_day: repos.LiveDayRepository
    network: repos.NetworkRepository
    reports: repos.ReportRepository
    jobs: repos.JobRepository
    cases: CaseRepository  # review cases and the provider analytics (issue 15)
    complaints: ComplaintRepository
    expenses: ExpenseRepository
    eligibility: EligibilityRepository  # 270 inquiries and 271 answers (issue 17)
    integrity: IntegrityRepository  # the facts of the integrity edits and scores (issue 15)
    documents: DocumentRepository  # a member's documents on file (issue 16, point 3)
    regions: RegionDayRepository  # days solved by regions on the job queue (issue 18)
    matrices: TravelMatrixRepository  # travel matrices prepared for a program's day (issue 18)

    def __init__(self, factory: sessionmaker[Session] | None = None):
        self._factory = factory or default_session_factory()  # the settings' database (the commands)

    def __enter__(self) -> UnitOfWork:
        self.session = session = self._factory()
        self.members = repos.MemberRepository(session)
        self.users = repos.UserRepository(session)
        self.accounts = repos.AccountRepository(session)
        self.admin = repos.AdminRepository(session)
        self.organizations = repos.OrganizationRepository(session)
        self.audit = repos.AuditRepository(session)
        self.control_numbers = repos.ControlNumbers(session)
        self.rides = repos.RideRepository(session)
        self.trip_logs = repos.TripLogRepository(session)
        self.evidence = repos.EvidenceRepository(session)  # verified trips (issue 15)
        self.claims = repos.ClaimRepository(session)
        self.dispatch = repos.DispatchRepository(session)
        self.live_day = repos.LiveDayRepository(session)
        self.network = repos.NetworkRepository(session)
        self.reports = repos.ReportRepository(session)
        self.jobs = repos.JobRepository(session)
        self.cases = CaseRepository(session)
        self.complaints = ComplaintRepository(session)  # complaints and grievances (issue 16)
        self.expenses = ExpenseRepository(session)  # meals and lodging with receipts (issue 17)
        self.eligibility = EligibilityRepository(session)  # eligibility with the payer (issue 17)
        self.integrity = IntegrityRepository(session)  # integrity edits' facts (issue 15)
        self.documents = DocumentRepository(session)  # a member's documents on file (issue 16)
        self.regions = RegionDayRepository(session)  # days solved by regions (issue 18)
        self.matrices = TravelMatrixRepository(session)  # prepared travel matrices (issue 18)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()  # no-op after a commit; undoes everything otherwise
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def flush(self) -> None:
        self.session.flush()

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name


# What a commit can lose to another writer: a unique key taken first (IntegrityError), a stale version
# (StaleDataError), a serialization failure or lock timeout (OperationalError). Services turn these into a Conflict
# or retry; they never see SQLAlchemy's classes themselves.
CONCURRENT_WRITE_ERRORS: tuple[type[Exception], ...] = (IntegrityError, StaleDataError, OperationalError)


def uow_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    """A callable making units of work on ``engine`` (handed to the API and CLI)."""
    factory = session_factory(engine)
    return lambda: UnitOfWork(factory)
