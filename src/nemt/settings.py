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
| ``NEMT_HEALTH_TIMEOUT`` | ``health_timeout`` (seconds ``/health`` waits for the database; then 503) | 2 |
| ``NEMT_RESET_LINK_HOURS`` | ``reset_link_hours`` (how long a one-time set-password link works) | 24 |
| ``NEMT_JOBS_BROKER`` | ``jobs_broker`` (``amqp://…`` or ``redis://…``: jobs go to workers; docs/jobs.md) | none |
| ``NEMT_JOBS_QUEUE`` | ``jobs_queue`` (the queue's name: deployments sharing one broker use their own) | nemt-jobs |
| ``NEMT_BOARD_POLL_SECONDS`` | ``board_poll_seconds`` (how often an open dispatch board asks for changes) | 10 |

``NEMT_CLOCK_START`` is not here: :mod:`nemt.clock` reads it itself, at import, before anything else runs.

Every module reads its configuration through :func:`get_settings`, never ``os.environ``. The object is built
lazily, so a process (or a test) that sets a variable before the first use is seen; :func:`reload_settings`
reads the environment again (tests that change a variable after the first use). This module imports nothing
from the platform, so the pure core may read it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings", "reload_settings"]

MEGABYTE = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 5
DEFAULT_RESET_LINK_HOURS = 24


def _text(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _megabytes(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _text(environ, name)
    if value is None:
        return default * MEGABYTE
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of megabytes, at least 1")
    return int(value) * MEGABYTE


def _whole(environ: Mapping[str, str], name: str, default: int, unit: str) -> int:
    """A whole number of ``unit`` of at least 1 (``default`` when the variable is not set)."""
    value = _text(environ, name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of {unit}, at least 1")
    return int(value)


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


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = _text(environ, name)
    return Path(value) if value else None


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
    jobs_broker: str | None = None  # nemt.jobs: None runs jobs in the process that submits them
    jobs_queue: str = "nemt-jobs"
    board_poll_seconds: float = 10.0  # the dispatch board's check for changes (services.dispatch.eta.day_stamp)

    def __post_init__(self) -> None:
        # Admission control only prevents the pool wait (issue 14's wedge) when every request admitted can have
        # a connection at once: see nemt.http.capacity.
        if self.max_in_flight > self.db_pool_size + self.db_max_overflow:
            raise ValueError("NEMT_MAX_IN_FLIGHT must not exceed NEMT_DB_POOL_SIZE + NEMT_DB_MAX_OVERFLOW")
        if self.db_pool_size < 1:
            raise ValueError("NEMT_DB_POOL_SIZE must be at least 1")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], cwd: Path | None = None) -> Settings:
        """The settings the variables of ``environ`` give; relative defaults are taken from ``cwd``."""
        where = cwd or Path.cwd()
        return cls(
            database_url=_text(environ, "NEMT_DATABASE_URL") or f"sqlite:///{where / 'nemt.db'}",
            migration_database_url=_text(environ, "NEMT_MIGRATION_DATABASE_URL"),
            database_app_role=_text(environ, "NEMT_DATABASE_APP_ROLE"),
            secret_key=_text(environ, "NEMT_SECRET_KEY"),
            https_only=_text(environ, "NEMT_HTTPS_ONLY") == "1",
            max_upload_bytes=_megabytes(environ, "NEMT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB),
            session_idle_minutes=_whole(environ, "NEMT_SESSION_IDLE_MINUTES", 15, "minutes"),
            session_max_hours=_whole(environ, "NEMT_SESSION_MAX_HOURS", 12, "hours"),
            token_days=_whole(environ, "NEMT_TOKEN_DAYS", 30, "days"),
            login_lock_failures=_whole(environ, "NEMT_LOGIN_LOCK_FAILURES", 5, "failures"),
            login_address_failures=_whole(environ, "NEMT_LOGIN_ADDRESS_FAILURES", 20, "failures"),
            login_address_window_minutes=_whole(environ, "NEMT_LOGIN_ADDRESS_WINDOW_MINUTES", 15, "minutes"),
            member_lookups_per_hour=_whole(environ, "NEMT_MEMBER_LOOKUPS_PER_HOUR", 30, "members"),
            password_hash_cost=_text(environ, "NEMT_PASSWORD_HASH_COST"),
            policy_dir=_path(environ, "NEMT_POLICY_DIR"),
            road_graph=_path(environ, "NEMT_ROAD_GRAPH"),
            geo_dir=_path(environ, "NEMT_GEO_DIR"),
            reset_link_hours=_whole(environ, "NEMT_RESET_LINK_HOURS", DEFAULT_RESET_LINK_HOURS, "hours"),
            db_pool_size=_count(environ, "NEMT_DB_POOL_SIZE", 10),
            db_max_overflow=_count(environ, "NEMT_DB_MAX_OVERFLOW", 10),
            db_pool_timeout=_seconds(environ, "NEMT_DB_POOL_TIMEOUT", 10.0),
            db_statement_timeout=_seconds(environ, "NEMT_DB_STATEMENT_TIMEOUT", 60.0),
            db_idle_in_transaction_timeout=_seconds(environ, "NEMT_DB_IDLE_IN_TRANSACTION_TIMEOUT", 120.0),
            max_in_flight=_count(environ, "NEMT_MAX_IN_FLIGHT", 10),
            max_queued=_count(environ, "NEMT_MAX_QUEUED", 100),
            queue_wait=_seconds(environ, "NEMT_QUEUE_WAIT", 5.0),
            health_timeout=_seconds(environ, "NEMT_HEALTH_TIMEOUT", 2.0),
            jobs_broker=_text(environ, "NEMT_JOBS_BROKER"),
            jobs_queue=_text(environ, "NEMT_JOBS_QUEUE") or "nemt-jobs",
            board_poll_seconds=_seconds(environ, "NEMT_BOARD_POLL_SECONDS", 10.0),
        )


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
