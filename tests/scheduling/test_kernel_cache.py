"""The kernels' compiled cache is dropped when any kernel file changes (numba checks only a kernel's own file)."""

from __future__ import annotations

from pathlib import Path

from nemt.scheduling._kernels.cache import FOLDER, STAMP, drop_stale_cache, source_digest


def _compiled(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "__pycache__").glob("*.nb[ic]"))


def test_a_cache_compiled_from_other_source_is_dropped_once(tmp_path: Path) -> None:
    (tmp_path / "callee.py").write_text("def f(): return 1\n")
    (tmp_path / "caller.py").write_text("def g(): return f()\n")
    (tmp_path / "__pycache__").mkdir()
    for name in ("caller.g-1.py311.nbi", "caller.g-1.py311.1.nbc"):
        (tmp_path / "__pycache__" / name).write_text("compiled")
    assert drop_stale_cache(tmp_path) is True  # no stamp: compiled from unknown source
    assert _compiled(tmp_path) == []
    (tmp_path / "__pycache__" / "caller.g-1.py311.nbi").write_text("compiled again")
    assert drop_stale_cache(tmp_path) is False  # same source: kept
    assert _compiled(tmp_path) == ["caller.g-1.py311.nbi"]
    (tmp_path / "callee.py").write_text("def f(): return 2\n")  # only the callee's file changes
    assert drop_stale_cache(tmp_path) is True
    assert _compiled(tmp_path) == []


def test_the_kernels_stamp_is_their_current_source() -> None:
    import nemt.scheduling._kernels  # noqa: F401  (importing the kernels checks the stamp)

    assert STAMP.read_text() == source_digest(FOLDER)
