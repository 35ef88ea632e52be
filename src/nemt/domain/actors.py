"""Who is acting: a signed-in user (role + organization + program) or the system itself (CLI, jobs); the roles and
the kinds of organization a user can belong to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrgKind(StrEnum):
    DEPARTMENT = "department"
    BROKER = "broker"
    PROVIDER = "transportation-provider"
    FACILITY = "medical-facility"


class Role(StrEnum):
    AGENT = "call-center-agent"
    DISPATCHER = "dispatcher"
    PROVIDER_ADMIN = "provider-admin"
    DRIVER = "driver"
    FACILITY_SCHEDULER = "facility-scheduler"
    AUDITOR = "auditor"
    ADMIN = "administrator"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    organization_id: int | None
    organization_kind: str | None
    program: str | None  # None: every program (system, administrators of the platform)

    @classmethod
    def system(cls, purpose: str = "system") -> Actor:
        return cls(None, purpose, Role.ADMIN.value, None, None, None)

    @property
    def is_system(self) -> bool:
        """The platform itself (a command or a job), not a signed-in user."""
        return self.user_id is None

    def sees_program(self, program: str) -> bool:
        return self.program is None or self.program == program
