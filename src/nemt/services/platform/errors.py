"""Errors a user can cause. Each names the field and the rule; none carries member data in its message."""

from __future__ import annotations

from dataclasses import dataclass, field

from nemt.store.limits import FieldRefused


class ServiceError(Exception):
    """Base of the errors the interfaces turn into problem+json (API) or exit status 2 (CLI)."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message, self.field, self.rule = message, field, rule


class InvalidInput(ServiceError):
    status = 422
    title = "Invalid input"


def refused(exc: FieldRefused) -> InvalidInput:
    """The store's refusal of a value its column cannot hold (too long, or with a NUL character), as the
    :class:`InvalidInput` the interfaces show: the field, the rule ("field length"), a plain message."""
    error = InvalidInput(exc.message, field=exc.field, rule=exc.rule)
    error.__cause__ = exc
    return error


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Unauthorized(ServiceError):
    status = 401
    title = "Not signed in"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class TooManyRequests(ServiceError):
    """A throttle's limit reached (``nemt.services.platform.throttle``): 429, with the seconds until a new attempt
    can succeed (the ``Retry-After`` header)."""

    status = 429
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None, rule: str | None = None):
        super().__init__(message, field=field, rule=rule)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportRejected(ServiceError):
    """A file in which at least one row is bad: nothing from it was written."""

    file: str
    errors: list[RowError] = field(default_factory=list)

    def __post_init__(self) -> None:
        first = self.errors[0] if self.errors else None
        ServiceError.__init__(
            self,
            f"{self.file}: {len(self.errors)} bad row(s); nothing was imported. First: {first}",
            field=first.field if first else None,
            rule="all-or-nothing import",
        )
        self.status, self.title = 422, "File rejected"
