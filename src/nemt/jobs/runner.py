"""Running a job: claim it, run its task with progress, keep the result or the error — the same code in a worker
of the queue (``nemt.jobs.queue``) and in the process that submitted it when no broker is configured.

``InProcess`` is the default (``NEMT_JOBS_BROKER`` unset): ``make run`` and ``nemt jobs submit`` need no broker and
no worker; the job runs in a thread of the submitting process and its record is the same as a worker's.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from nemt.jobs import records
from nemt.jobs.records import UowFactory
from nemt.jobs.tasks import TASKS
from nemt.services.platform import audit
from nemt.services.platform.errors import ServiceError

log = logging.getLogger(__name__)


def execute(make_uow: UowFactory, key: str) -> None:
    """Run the job of ``key`` to its end (done or failed). A key already finished is a duplicate delivery: nothing
    is done. An unexpected error is recorded as a failure in words and raised again (the worker logs it)."""
    claimed = records.claim(make_uow, key)
    if claimed is None:
        return
    kind, params = claimed
    task = TASKS.get(kind)
    if task is None:
        records.finish(make_uow, key, None, error=f"this platform does not know jobs of the kind {kind!r}")
        return
    try:
        with audit.channel(("job", kind)):  # the trail says the day was planned by a job (45 CFR 164.528)
            result = task.run(make_uow, params, lambda percent, message: records.progress(make_uow, key, percent,
                                                                                           message))
    except ServiceError as exc:
        records.finish(make_uow, key, None, error=exc.message)
        return
    except Exception as exc:
        log.exception("job %s stopped on an unexpected error", key)
        records.finish(make_uow, key, None, error=f"the job stopped on an unexpected error ({type(exc).__name__})")
        raise
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
