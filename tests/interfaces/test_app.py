"""One app factory for the API and the pages, one dependency module both use, and no import between the two."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from nemt import settings as settings_module
from nemt.http import app as app_module
from nemt.http.app import create_app
from nemt.services.platform.permissions import Action
from nemt.settings import Settings


@pytest.fixture
def engine(tmp_path: Path):
    return create_engine(f"sqlite:///{tmp_path / 'app.db'}")


def test_one_factory_serves_the_api_the_pages_and_the_stylesheet(engine):
    with TestClient(create_app(engine, secret_key="test-secret")) as client:
        api = client.get("/api/v1/members/00000000000000000000000000000000")
        assert api.status_code == 401 and api.headers["content-type"] == "application/problem+json"
        assert api.json()["field"] == "Authorization"
        page = client.get("/login")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_the_app_is_built_lazily():
    assert "app" not in vars(app_module)
    with pytest.raises(AttributeError):
        app_module.__getattr__("application")


def test_session_settings_come_from_the_settings(engine, monkeypatch, tmp_path: Path):
    monkeypatch.setattr(settings_module, "_current", Settings(database_url="sqlite://", secret_key="from-env",
                                                             https_only=True))
    app = create_app(engine)
    (session,) = [m for m in app.user_middleware if m.cls.__name__ == "SessionMiddleware"]
    assert session.kwargs["secret_key"] == "from-env" and session.kwargs["https_only"] is True
    monkeypatch.setattr(settings_module, "_current", Settings(database_url="sqlite://"))
    monkeypatch.chdir(tmp_path)
    key = app_module._secret_key()
    assert key == (tmp_path / "var" / "secret.key").read_text().strip() and len(key) > 40
    assert app_module._secret_key() == key  # kept, so sessions survive a restart


def test_the_dependencies_name_their_actions():
    from nemt.http.deps import allowed
    from nemt.web.common import page_for

    assert allowed(Action.MEMBER_BROWSE, Action.RIDE_BOOK).dependency.actions == (Action.MEMBER_BROWSE,
                                                                                  Action.RIDE_BOOK)
    assert page_for(Action.DISPATCH).action is Action.DISPATCH


@pytest.mark.parametrize(("module", "must_not_load"), [
    ("nemt.web.pages", "nemt.api"),
    ("nemt.api.routes_rides", "nemt.web"),
    ("nemt.api.routes_platform", "nemt.web"),
    ("nemt.http.deps", "nemt.api"),
    ("nemt.cli", "nemt.web"),
])
def test_importing_one_interface_loads_nothing_of_the_other(module, must_not_load):
    code = (f"import sys, json, {module}; "
            f"print(json.dumps(sorted(m for m in sys.modules if m == {must_not_load!r} "
            f"or m.startswith({must_not_load!r} + '.'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
