"""The interface tests that need only the application, not the demo world: an app over an empty SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@contextmanager
def bare_client(folder: Path) -> Iterator[TestClient]:
    """A TestClient of the whole application over a new, unmigrated SQLite file in ``folder``: enough for headers,
    static files and the OpenAPI document, which never reach a table. The settings in force when it is entered are
    the app's (a test that changes them does so first)."""
    from sqlalchemy import create_engine

    from nemt.http.app import create_app

    engine = create_engine(f"sqlite:///{folder / 'app.db'}")
    try:
        with TestClient(create_app(engine, secret_key="test-secret")) as client:
            yield client
    finally:
        engine.dispose()


@pytest.fixture
def plain_client(tmp_path: Path) -> Iterator[TestClient]:
    with bare_client(tmp_path) as client:
        yield client
