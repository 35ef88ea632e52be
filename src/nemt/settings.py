"""The platform's configuration: one settings object, read from the environment once, on first use.

| variable | setting | default |
| --- | --- | --- |
| ``NEMT_DATABASE_URL`` | ``database_url`` | the SQLite file ``nemt.db`` in the working directory |
| ``NEMT_MIGRATION_DATABASE_URL`` | ``migration_database_url`` (the owner ``nemt db upgrade`` runs as) | the app URL |
| ``NEMT_DATABASE_APP_ROLE`` | ``database_app_role`` (the app's PostgreSQL role; ``nemt db upgrade`` grants it) | none |
| ``NEMT_SECRET_KEY`` | ``secret_key`` (signs the web sessions) | none: a random key kept in ``var/secret.key`` |
| ``NEMT_HTTPS_ONLY`` | ``https_only`` (``1``: served over HTTPS: secure session cookie, HSTS header) | off |
| ``NEMT_MAX_UPLOAD_MB`` | ``max_upload_bytes`` (largest file accepted by an upload; larger: 413) | 5 MB |
| ``NEMT_SESSION_IDLE_MINUTES`` | ``session_idle_minutes`` (a web session unused this long ends: logoff) | 15 |
| ``NEMT_SESSION_MAX_HOURS`` | ``session_max_hours`` (a web session ends this long after sign-in, used or not) | 12 |
| ``NEMT_TOKEN_DAYS`` | ``token_days`` (lifetime of a new API token; a request may ask for fewer days) | 30 |
| ``NEMT_LOGIN_LOCK_FAILURES`` | ``login_lock_failures`` (consecutive wrong passwords that lock an account) | 5 |
| ``NEMT_LOGIN_ADDRESS_FAILURES`` | ``login_address_failures`` (failed log-ins per address and window; more: 429) | 20 |
| ``NEMT_LOGIN_ADDRESS_WINDOW_MINUTES`` | ``login_address_window_minutes`` (that window) | 15 |
| ``NEMT_MEMBER_LOOKUPS_PER_HOUR`` | ``member_lookups_per_hour`` (members a facility scheduler reads an hour) | 30 |
| ``NEMT_PASSWORD_HASH_COST`` | ``password_hash_cost`` (``test``: cheap argon2id, the test suite only) | the library's |
| ``NEMT_POLICY_DIR`` | ``policy_dir`` (program files ``co.toml``, ``ct.toml``, fee schedules) | the installed ones |
| ``NEMT_PROGRAMS_DIR`` | ``programs_dir`` (more programs: each ``<code>.toml`` is one; docs/programs.md) | none |
| ``NEMT_ROAD_GRAPH`` | ``road_graph`` (graph file: the road engine becomes the default) | the estimator |
| ``NEMT_GEO_DIR`` | ``geo_dir`` (where ``nemt geo import-osm`` writes graphs) | ``~/.cache/nemt/geo`` |
| ``NEMT_DB_POOL_SIZE`` | ``db_pool_size`` (connections a process keeps open; README "Running in production") | 10 |
| ``NEMT_DB_MAX_OVERFLOW`` | ``db_max_overflow`` (extra connections a process may open when busy) | 10 |
| ``NEMT_DB_POOL_TIMEOUT`` | ``db_pool_timeout`` (seconds to wait for a free connection; then 503) | 10 |
| ``NEMT_DB_STATEMENT_TIMEOUT`` | ``db_statement_timeout`` (seconds a SQL statement may run; then 503; 0: none) | 60 |
| ``NEMT_DB_IDLE_IN_TRANSACTION_TIMEOUT`` | ``db_idle_in_transaction_timeout`` (seconds; 0: none) | 120 |
| ``NEMT_MAX_IN_FLIGHT`` | ``max_in_flight`` (requests a process works on at once; 0: no admission control) | 10 |
| ``NEMT_MAX_QUEUED`` | ``max_queued`` (requests a process lets wait for a turn; more: an immediate 503) | 100 |
| ``NEMT_QUEUE_WAIT`` | ``queue_wait`` (seconds a request waits for its turn; then 503 with Retry-After) | 5 |
| ``NEMT_KEEPALIVE_REQUESTS`` | ``keepalive_requests`` (one response in this many closes its connection; 0: none) | 25 |
| ``NEMT_HEALTH_TIMEOUT`` | ``health_timeout`` (seconds ``/health`` waits for the database; then 503) | 2 |
| ``NEMT_RESET_LINK_HOURS`` | ``reset_link_hours`` (how long a one-time set-password link works) | 24 |
| ``NEMT_JOBS_BROKER`` | ``jobs_broker`` (``amqp://…`` or ``redis://…``: jobs go to workers; docs/jobs.md) | none |
| ``NEMT_JOBS_QUEUE`` | ``jobs_queue`` (the queue's name: deployments sharing one broker use their own) | nemt-jobs |
| ``NEMT_BOARD_POLL_SECONDS`` | ``board_poll_seconds`` (how often an open dispatch board asks for changes) | 10 |
| ``NEMT_EDI_OUTBOX`` | ``edi_outbox`` (the file drop 270 inquiries go to; docs/eligibility.md) | ``var/edi/outbox`` |

``NEMT_CLOCK_START`` is not here: :mod:`nemt.clock` reads it itself, at import, before anything else runs.

Every module reads its configuration through :func:`get_settings`, never ``os.environ``. The object is built
lazily, so a process (or a test) that sets a variable before the first use is seen; :func:`reload_settings`
reads the environment again (tests that change a variable after the first use). This module imports nothing
from the platform, so the pure core may read it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

__all__ = ["Settings", "get_settings", "reload_settings"]

MEGABYTE = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 5
DEFAULT_RESET_LINK_HOURS = 24


def _text(environ: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """The variable's text without surrounding blanks (``default`` when it is not set or blank)."""
    value = environ.get(name, "").strip()
    return value or default


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """On when the variable is ``1``, off when it is set to anything else (``default`` when it is not set)."""
    value = _text(environ, name)
    return default if value is None else value == "1"


def _whole(environ: Mapping[str, str], name: str, default: int, unit: str = "units") -> int:
    """A whole number of ``unit`` of at least 1 (``default`` when the variable is not set)."""
    value = _text(environ, name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of {unit}, at least 1")
    return int(value)


def _in(unit: str) -> Callable[[Mapping[str, str], str, int], int]:
    """:func:`_whole` for a setting counted in ``unit`` (named in the error message)."""
    return lambda environ, name, default: _whole(environ, name, default, unit)


def _megabytes(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of megabytes of at least 1, in bytes (``default`` is in bytes)."""
    return _whole(environ, name, default // MEGABYTE, "megabytes") * MEGABYTE


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number, 0 or more (``default`` when the variable is not set)."""
    value = _text(environ, name)
    if value is None:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number, 0 or more")
    return int(value)


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds, 0 or more, decimals allowed (``default`` when the variable is not set)."""
    value = _text(environ, name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError(f"{name} must be a number of seconds, 0 or more")
    return seconds


def _path(environ: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    value = _text(environ, name)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    """The configuration of one process (see the table in the module's docstring)."""

    database_url: str
    migration_database_url: str | None = None
    database_app_role: str | None = None
    secret_key: str | None = None
    https_only: bool = False
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * MEGABYTE
    session_idle_minutes: int = 15
    session_max_hours: int = 12
    token_days: int = 30
    login_lock_failures: int = 5
    login_address_failures: int = 20
    login_address_window_minutes: int = 15
    member_lookups_per_hour: int = 30
    password_hash_cost: str | None = None
    policy_dir: Path | None = None
    programs_dir: Path | None = None  # more program files beside policy_dir's (nemt.policy.program_codes)
    road_graph: Path | None = None
    geo_dir: Path | None = None
    reset_link_hours: int = DEFAULT_RESET_LINK_HOURS
    # Capacity (nemt.http.capacity, nemt.store.database; README "Running in production").
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 10.0
    db_statement_timeout: float = 60.0
    db_idle_in_transaction_timeout: float = 120.0
    max_in_flight: int = 10
    max_queued: int = 100
    queue_wait: float = 5.0
    health_timeout: float = 2.0
    keepalive_requests: int = 25  # nemt.http.capacity.ConnectionTurnover
    jobs_broker: str | None = None  # nemt.jobs: None runs jobs in the process that submits them
    jobs_queue: str = "nemt-jobs"
    board_poll_seconds: float = 10.0  # the dispatch board's check for changes (services.dispatch.eta.day_stamp)
    edi_outbox: Path | None = None  # where 270 inquiries are dropped for the clearinghouse (docs/eligibility.md)

    def __post_init__(self) -> None:
        # Admission control only prevents the pool wait (issue 14's wedge) when every request admitted can have
        # a connection at once: see nemt.http.capacity.
        if self.max_in_flight > self.db_pool_size + self.db_max_overflow:
            raise ValueError("NEMT_MAX_IN_FLIGHT must not exceed NEMT_DB_POOL_SIZE + NEMT_DB_MAX_OVERFLOW")
        if self.db_pool_size < 1:
            raise ValueError("NEMT_DB_POOL_SIZE must be at least 1")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], cwd: Path | None = None) -> Settings:
        """The settings the variables of ``environ`` give: each field's variable (``NEMT_`` and its name in capitals,
        but ``NEMT_MAX_UPLOAD_MB``) read by its reader of ``READERS``; its default is the field's own. The database's
        default, a file in ``cwd``, is the one computed here."""
        where = cwd or Path.cwd()
        values: dict[str, Any] = {"database_url": _text(environ, "NEMT_DATABASE_URL")
                                  or f"sqlite:///{where / 'nemt.db'}"}
        for field in fields(cls):
            if field.name not in values:
                variable, read = READERS.get(field.name, ("NEMT_" + field.name.upper(), _text))
                values[field.name] = read(environ, variable or "NEMT_" + field.name.upper(), field.default)
        return cls(**values)


# How each setting is read (``None``: the variable is ``NEMT_`` and the field's name in capitals); a field not here
# is plain text (``_text``).
READERS: dict[str, tuple[str | None, Callable[[Mapping[str, str], str, Any], Any]]] = {
    "https_only": (None, _flag),
    "max_upload_bytes": ("NEMT_MAX_UPLOAD_MB", _megabytes),
    "session_idle_minutes": (None, _in("minutes")),
    "session_max_hours": (None, _in("hours")),
    "token_days": (None, _in("days")),
    "login_lock_failures": (None, _in("failures")),
    "login_address_failures": (None, _in("failures")),
    "login_address_window_minutes": (None, _in("minutes")),
    "member_lookups_per_hour": (None, _in("members")),
    "policy_dir": (None, _path),
    "programs_dir": (None, _path),
    "road_graph": (None, _path),
    "geo_dir": (None, _path),
    "edi_outbox": (None, _path),
    "reset_link_hours": (None, _in("hours")),
    "db_pool_size": (None, _count),
    "db_max_overflow": (None, _count),
    "db_pool_timeout": (None, _seconds),
    "db_statement_timeout": (None, _seconds),
    "db_idle_in_transaction_timeout": (None, _seconds),
    "max_in_flight": (None, _count),
    "max_queued": (None, _count),
    "queue_wait": (None, _seconds),
    "health_timeout": (None, _seconds),
    "keepalive_requests": (None, _count),
    "board_poll_seconds": (None, _seconds),
}


_current: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read from the environment on the first call."""
    global _current
    if _current is None:
        _current = Settings.from_environ(os.environ)
    return _current


def reload_settings() -> Settings:
    """Read the environment again and use what it says from now on (for tests that change a variable)."""
    global _current
    _current = Settings.from_environ(os.environ)
    return _current
