"""pyx12 as the independent validator of the 837P files we write.

Pitfalls (../shared/data/x12/README.md): the ``x12valid`` exit status is useless (1 for pass and fail), so the
library API ``pyx12.x12n_document.x12n_document`` is called directly and its boolean result read, together with
the error lines pyx12 logs; an unknown GS08 makes pyx12 raise ``EngineError`` instead of returning False, which
is caught and reported as a failure.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

__all__ = ["validate_x12", "validate_x12_file"]

_LOCK = threading.Lock()  # pyx12 logs through one process-wide logger


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validate_x12(text: str) -> tuple[bool, list[str]]:
    """Validate X12 text with pyx12. Returns ``(ok, error messages)``; ok requires pyx12's True result and no
    error logged."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    param = pyx12.params.params()
    logger = logging.getLogger("pyx12")
    collect = _Collect()
    with _LOCK:
        old_level, old_propagate = logger.level, logger.propagate
        logger.addHandler(collect)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        try:
            # No acknowledgment is generated (fd_997 None): validation alone decides, and pyx12's 999 writer fails
            # on a valid 835, whose ST03 the 005010X221A1 map marks Not Used ("err_st.vriic was not set").
            ok = pyx12.x12n_document.x12n_document(param, io.StringIO(text), None, None, None)
        except pyx12.errors.EngineError as exc:
            ok = False
            collect.messages.append(f"pyx12 engine error: {exc}")
        except pyx12.errors.X12Error as exc:
            ok = False
            collect.messages.append(f"pyx12 X12 error: {exc}")
        finally:
            logger.removeHandler(collect)
            logger.setLevel(old_level)
            logger.propagate = old_propagate
    messages = collect.messages
    if not ok and not messages:
        messages = ["pyx12 reported the file invalid"]
    return bool(ok) and not messages, messages


def validate_x12_file(path: str | Path) -> tuple[bool, list[str]]:
    """Validate an X12 file (read as ASCII/UTF-8 text)."""
    return validate_x12(Path(path).read_text(encoding="utf-8"))
