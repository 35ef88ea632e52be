"""A real `nemt serve` for the browser tests: a migrated, demo-seeded SQLite file and the server on a free port.

Seeding the demo world with its two weeks of rides takes about 20 s. The browser modules each want a server of their
own (their own clock, their own policy files, their own changes to the data), but most start from the same seeded
world, so the run seeds a world once a day, with the packaged program files (the world `make run` seeds), and copies the
file for every module that asks for it: each module still starts from a fresh database of its own, and its server
runs at its own clock with its own program files.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from benchmarks.burst import free_port, stop_process_group, wait_until_up
from nemt import clock

DENVER = ZoneInfo("America/Denver")


def nemt_command() -> list[str]:
    script = Path(sys.executable).parent / "nemt"
    return [str(script)] if script.exists() else [sys.executable, "-m", "nemt.cli"]


def _run(command: list[str], folder: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(nemt_command() + command, cwd=folder, env=dict(env), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr


def seeding_clock(server_clock: str) -> str:
    """When the demo a server of ``server_clock`` starts from was seeded: at 09:30 in Denver that day (the suite's own
    start, ``tests/conftest.py``), or at the server's clock when that is earlier — so every server of a day shares one
    seeded world, seeded before the server's now."""
    start, _ = clock.parse_start(server_clock)  # pinned or not (clock.for_child)
    morning = start.astimezone(DENVER).replace(hour=9, minute=30, second=0, microsecond=0)
    return min(start, morning).isoformat()


def _shared_folder(folder: Path) -> Path:
    """A folder every test process of this run sees: the run's temporary root (``folder`` is a test's temporary
    folder: under pytest-xdist, ``<run root>/popen-gwN/<name>``)."""
    basetemp = folder.parent
    shared = (basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp) / "seeded-demo"
    shared.mkdir(exist_ok=True)
    return shared


def seeded_database(folder: Path, env: Mapping[str, str]) -> Path:
    """``folder/demo.db``: the demo world (`nemt db upgrade`, `nemt demo seed`) seeded at :func:`seeding_clock` of the
    server's clock — once per run and day (the seed takes half a minute; the test processes take turns under a file
    lock, and the first one seeds), copied after that."""
    seeded_at = seeding_clock(env["NEMT_CLOCK_START"])
    target = folder / "demo.db"
    shared = _shared_folder(folder)
    name = seeded_at.replace(":", "")
    template = shared / f"{name}.db"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            work = shared / f"{name}-seeding"
            work.mkdir(exist_ok=True)
            seeding = {**env, "NEMT_DATABASE_URL": f"sqlite:///{work / 'demo.db'}", "NEMT_CLOCK_START": seeded_at}
            seeding.pop("NEMT_POLICY_DIR", None)  # the world `make run` seeds (a module's own files are its server's)
            for command in (["db", "upgrade"], ["demo", "seed"]):
                _run(command, work, seeding)
            (work / "demo.db").rename(template)
    shutil.copyfile(template, target)
    return target


@contextmanager
def running_server(folder: Path, env: dict[str, str], *, prepare: Callable[[str], object] | None = None,
                   restart_clock: Callable[[], str] | None = None) -> Iterator[str]:
    """Seed (or copy) the demo database into ``folder``, let ``prepare(database_url)`` add to it, start `nemt serve`
    with ``env`` and yield its base URL once /health answers; stop it afterwards.

    ``restart_clock()`` (when given) is the server's clock start, read just before it starts: the seeding took a
    while, and second-factor codes need the server's clock and the test's to agree (``clock.for_child`` pins it, so
    the server's start-up time does not put its clock behind)."""
    database = seeded_database(folder, env)
    env = {**env, "NEMT_DATABASE_URL": f"sqlite:///{database}"}
    if prepare is not None:
        prepare(env["NEMT_DATABASE_URL"])
    if restart_clock is not None:
        env["NEMT_CLOCK_START"] = restart_clock()
    port = free_port()
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(nemt_command() + ["serve", "--host", "127.0.0.1", "--port", str(port)], cwd=folder,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until_up(base, proc, 60, log_path)
            except RuntimeError as exc:
                pytest.fail(str(exc))
            yield base
        finally:
            stop_process_group(proc, grace=10)
