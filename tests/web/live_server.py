"""A real `nemt serve` for the browser tests: a migrated, demo-seeded SQLite file and the server on a free port.

Seeding the demo world with its two weeks of rides takes about 20 s. The browser modules each want a server of their
own (their own clock, their own policy files, their own changes to the data), but most start from the same seeded
world, so each test process seeds a world once per (clock hour, program files) and copies the file for every
module that asks for it: each module still starts from a fresh database of its own.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.burst import free_port, stop_process_group, wait_until_up
from nemt.policy import PACKAGED_POLICIES

_SEEDED: dict[tuple[str, str], Path] = {}  # (clock hour, program files' digest) -> a seeded database of this process


def nemt_command() -> list[str]:
    script = Path(sys.executable).parent / "nemt"
    return [str(script)] if script.exists() else [sys.executable, "-m", "nemt.cli"]


def _programs_digest(env: Mapping[str, str]) -> str:
    folder = Path(env.get("NEMT_POLICY_DIR") or PACKAGED_POLICIES)
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(command: list[str], folder: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(nemt_command() + command, cwd=folder, env=dict(env), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr


def seeded_database(folder: Path, env: Mapping[str, str]) -> Path:
    """``folder/demo.db``: the demo world (`nemt db upgrade`, `nemt demo seed`) as seeded at the clock and with the
    program files ``env`` gives — seeded once per test process and clock hour, copied after that."""
    key = (env["NEMT_CLOCK_START"][:13], _programs_digest(env))
    target = folder / "demo.db"
    if key not in _SEEDED:
        template_folder = Path(str(folder) + "-template")
        template_folder.mkdir(parents=True, exist_ok=True)
        template = template_folder / "demo.db"
        seeding = {**env, "NEMT_DATABASE_URL": f"sqlite:///{template}"}
        for command in (["db", "upgrade"], ["demo", "seed"]):
            _run(command, template_folder, seeding)
        _SEEDED[key] = template
    shutil.copyfile(_SEEDED[key], target)
    return target


@contextmanager
def running_server(folder: Path, env: dict[str, str], *, prepare: Callable[[str], object] | None = None,
                   restart_clock: Callable[[], str] | None = None) -> Iterator[str]:
    """Seed (or copy) the demo database into ``folder``, let ``prepare(database_url)`` add to it, start `nemt serve`
    with ``env`` and yield its base URL once /health answers; stop it afterwards.

    ``restart_clock()`` (when given) is the server's clock start, read just before it starts: the seeding took a
    while, and second-factor codes need the server's clock and the test's to agree."""
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
