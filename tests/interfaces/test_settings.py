"""One settings object, read from the environment once; no other module reads the environment for configuration."""

from __future__ import annotations

import re
from pathlib import Path

from nemt import settings as settings_module
from nemt.settings import Settings, get_settings, reload_settings

SRC = Path(__file__).resolve().parents[2] / "src" / "nemt"
# nemt.clock reads NEMT_CLOCK_START itself, at import, before anything else runs.
READERS = {SRC / "settings.py", SRC / "clock.py"}


def test_defaults_without_any_variable(tmp_path: Path):
    s = Settings.from_environ({}, cwd=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'nemt.db'}"
    assert s.secret_key is None and s.https_only is False and s.password_hash_cost is None
    assert s.policy_dir is None and s.road_graph is None and s.geo_dir is None


def test_every_variable(tmp_path: Path):
    s = Settings.from_environ({
        "NEMT_DATABASE_URL": " postgresql://u@h/db ", "NEMT_SECRET_KEY": "k", "NEMT_HTTPS_ONLY": "1",
        "NEMT_PASSWORD_HASH_COST": "test", "NEMT_POLICY_DIR": str(tmp_path), "NEMT_ROAD_GRAPH": "/g/roads.npz",
        "NEMT_GEO_DIR": "/g",
    })
    assert s == Settings(database_url="postgresql://u@h/db", secret_key="k", https_only=True,
                         password_hash_cost="test", policy_dir=tmp_path, road_graph=Path("/g/roads.npz"),
                         geo_dir=Path("/g"))
    assert Settings.from_environ({"NEMT_HTTPS_ONLY": "0", "NEMT_DATABASE_URL": "  "}, cwd=tmp_path).https_only is False


def test_read_once_until_reloaded(monkeypatch):
    first = get_settings()
    assert get_settings() is first
    monkeypatch.setenv("NEMT_GEO_DIR", "/elsewhere")
    assert get_settings() is first
    try:
        assert reload_settings().geo_dir == Path("/elsewhere") and get_settings().geo_dir == Path("/elsewhere")
    finally:
        monkeypatch.undo()
        reload_settings()


def test_the_readers_use_the_settings(monkeypatch, tmp_path: Path):
    from nemt.geo.engine_choice import graph_dir
    from nemt.policy import policy_dir
    from nemt.store.database import database_url

    monkeypatch.setattr(settings_module, "_current", Settings(database_url="sqlite:///x.db", policy_dir=tmp_path,
                                                             geo_dir=tmp_path / "geo"))
    assert database_url() == "sqlite:///x.db"
    assert policy_dir() == tmp_path and graph_dir() == tmp_path / "geo"


def test_no_other_module_reads_the_environment():
    readers = [p.relative_to(SRC) for p in sorted(SRC.rglob("*.py"))
               if p not in READERS and re.search(r"os\.environ|getenv\(", p.read_text())]
    assert readers == []
