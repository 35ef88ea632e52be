"""Keep numba's on-disk cache of the kernels in step with their source.

numba caches each ``@njit(cache=True)`` kernel in ``__pycache__`` and checks only the kernel's *own* file when it
loads it: a kernel compiled together with the kernels it calls (``construct`` calls ``repair``, which calls
``best_insertion``) keeps running the callees of its last compilation after only a callee's file changed (numba's
"Notes on caching": changes in other files are not detected). Seen here: ``construct`` ran the old ``repair`` for
a whole session after ``reinsertion.py`` changed, while ``repair`` called directly ran the new one.

So the cache carries a stamp of every kernel file's content; when any file changed, the whole cache of the kernels is
dropped before they are imported, and they compile again once. A clean clone has no cache and nothing to drop.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
STAMP = FOLDER / "__pycache__" / "kernels-source.sha256"


def source_digest(folder: Path = FOLDER) -> str:
    """SHA-256 of the kernels' source files (their names and contents, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def drop_stale_cache(folder: Path = FOLDER) -> bool:
    """Drop the compiled kernels cached under ``folder/__pycache__`` unless they were compiled from the current
    source; True when something was dropped. A cache that cannot be written (a read-only install) is left alone:
    numba then keeps its cache elsewhere and this guard does not reach it."""
    cache, stamp = folder / "__pycache__", folder / "__pycache__" / STAMP.name
    digest = source_digest(folder)
    try:
        if stamp.exists() and stamp.read_text() == digest:
            return False
        dropped = False
        for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            path.unlink(missing_ok=True)
            dropped = True
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
        return dropped
    except OSError:
        return False


drop_stale_cache()  # on import: the package imports this module before any kernel
