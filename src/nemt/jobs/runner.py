"""Running a job: claim it, run its task with progress, keep the result or the error — the same code in a worker
of the queue (``nemt.jobs.queue``) and in the process that submitted it when no broker is configured.

``InProcess`` is the default (``NEMT_JOBS_BROKER`` unset): ``make run`` and ``nemt jobs submit`` need no broker and
no worker; the job runs in a thread of the submitting process and its record is the same as a worker's.
``Foreground`` runs it in the caller, telling a listener each step (``nemt dispatch schedule`` prints them).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from nemt.jobs import records
from nemt.jobs.records import UowFactory
from nemt.jobs.tasks import HANDED_ON, TASKS, Progress
from nemt.services.platform import audit
from nemt.services.platform.errors import ServiceError

log = logging.getLogger(__name__)


def execute(make_uow: UowFactory, key: str, listen: Progress | None = None) -> None:
    """Run the job of ``key`` to its end (done or failed); ``listen`` also hears each progress step (the command
    line prints them). A key already finished is a duplicate delivery: nothing is done. An unexpected error is
    recorded as a failure in words and raised again (the worker logs it)."""
    claimed = records.claim(make_uow, key)
    if claimed is None:
        return
    kind, params = claimed
    task = TASKS.get(kind)
    if task is None:
        records.finish(make_uow, key, None, error=f"this platform does not know jobs of the kind {kind!r}")
        return

    def progress(percent: int, message: str) -> None:
        records.progress(make_uow, key, percent, message)
        if listen is not None:
            listen(percent, message)

    try:
        with audit.channel(("job", kind)):  # the trail says the day was planned by a job (45 CFR 164.528)
            result = task.run(make_uow, params, progress)
    except ServiceError as exc:
        records.refused(make_uow, key, exc)
        return
    except Exception as exc:
        log.exception("job %s stopped on an unexpected error", key)
        records.finish(make_uow, key, None, error=f"the job stopped on an unexpected error ({type(exc).__name__})")
        raise
    if not task.hands_on and not result.get(HANDED_ON):  # else the jobs it handed the work to finish it (a stitch)
        records.finish(make_uow, key, result)


class Dispatcher(Protocol):
    def send(self, key: str) -> None: ...


class InProcess:
    """Runs each job in a thread of this process (not a daemon: the process waits for it before it exits)."""

    def __init__(self, make_uow: UowFactory):
        self._make_uow = make_uow
        self.threads: list[threading.Thread] = []

    def send(self, key: str) -> None:
        thread = threading.Thread(target=self._run, args=(key,), name=f"job {key}")
        self.threads.append(thread)
        thread.start()

    def _run(self, key: str) -> None:
        try:
            execute(self._make_uow, key)
        except Exception:  # noqa: BLE001 - already logged and recorded as failed by execute
            pass


class Foreground:
    """Runs each job at once in the caller, ``listen`` hearing each progress step as the record does."""

    def __init__(self, make_uow: UowFactory, listen: Progress):
        self._make_uow, self._listen = make_uow, listen

    def send(self, key: str) -> None:
        execute(self._make_uow, key, self._listen)
