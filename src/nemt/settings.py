"""The platform's configuration: one settings object, read from the environment once, on first use.

| variable | setting | default |
| --- | --- | --- |
| ``NEMT_DATABASE_URL`` | ``database_url`` | the SQLite file ``nemt.db`` in the working directory |
| ``NEMT_SECRET_KEY`` | ``secret_key`` (signs the web sessions) | none: a random key kept in ``var/secret.key`` |
| ``NEMT_HTTPS_ONLY`` | ``https_only`` (``1``: served over HTTPS: secure session cookie, HSTS header) | off |
| ``NEMT_MAX_UPLOAD_MB`` | ``max_upload_bytes`` (largest file accepted by an upload; larger: 413) | 5 MB |
| ``NEMT_PASSWORD_HASH_COST`` | ``password_hash_cost`` (``test``: cheap argon2id, the test suite only) | the library's |
| ``NEMT_POLICY_DIR`` | ``policy_dir`` (program files ``co.toml``, ``ct.toml``, fee schedules) | the installed ones |
| ``NEMT_ROAD_GRAPH`` | ``road_graph`` (graph file: the road engine becomes the default) | the estimator |
| ``NEMT_GEO_DIR`` | ``geo_dir`` (where ``nemt geo import-osm`` writes graphs) | ``~/.cache/nemt/geo`` |

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


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = _text(environ, name)
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    """The configuration of one process (see the table in the module's docstring)."""

    database_url: str
    secret_key: str | None = None
    https_only: bool = False
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * MEGABYTE
    password_hash_cost: str | None = None
    policy_dir: Path | None = None
    road_graph: Path | None = None
    geo_dir: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], cwd: Path | None = None) -> Settings:
        """The settings the variables of ``environ`` give; relative defaults are taken from ``cwd``."""
        where = cwd or Path.cwd()
        return cls(
            database_url=_text(environ, "NEMT_DATABASE_URL") or f"sqlite:///{where / 'nemt.db'}",
            secret_key=_text(environ, "NEMT_SECRET_KEY"),
            https_only=_text(environ, "NEMT_HTTPS_ONLY") == "1",
            max_upload_bytes=_megabytes(environ, "NEMT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB),
            password_hash_cost=_text(environ, "NEMT_PASSWORD_HASH_COST"),
            policy_dir=_path(environ, "NEMT_POLICY_DIR"),
            road_graph=_path(environ, "NEMT_ROAD_GRAPH"),
            geo_dir=_path(environ, "NEMT_GEO_DIR"),
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
