"""Who is acting: a signed-in user (role + organization + program) or the system itself (CLI, jobs)."""

from __future__ import annotations

from dataclasses import dataclass

from nemt.store.models import Role


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

    def sees_program(self, program: str) -> bool:
        return self.program is None or self.program == program
