"""The repository's copies of the shared contract and data (see tools/vendor_shared.py).

Each vendored folder's PROVENANCE.md lists the SHA-256 of its files, and the files must match it. Where the shared
folder exists beside the repository (as in CI), every file must be identical to its shared original, so an update
of the contract always reaches the repository; a clone without it checks its own sums only.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEMT_SHARED_DIR", REPO.parent / "shared"))

_spec = importlib.util.spec_from_file_location("vendor_shared", REPO / "tools" / "vendor_shared.py")
vendor_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vendor_shared)  # type: ignore[union-attr]

SOURCES = sorted(vendor_shared.FOLDERS)


def _target(source: str) -> Path:
    return REPO / vendor_shared.FOLDERS[source][0]


@pytest.mark.parametrize("source", SOURCES)
def test_provenance_note_lists_every_file_with_its_sum(source):
    folder = _target(source)
    note = (folder / vendor_shared.NOTE).read_text()
    listed = dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", note, flags=re.M))
    actual = {rel.as_posix(): vendor_shared.sha256(folder / rel) for rel in vendor_shared.files_of(folder)}
    assert listed == actual, \
        f"{folder.relative_to(REPO)}/{vendor_shared.NOTE} is out of date: run tools/vendor_shared.py"


@pytest.mark.parametrize("source", SOURCES)
def test_vendored_copy_matches_shared(source):
    original = SHARED / source
    if not original.is_dir():
        pytest.skip(f"no shared folder at {original}: only the provenance sums are checked")
    copy = _target(source)
    theirs = {rel.as_posix() for rel in vendor_shared.files_of(original)}
    ours = {rel.as_posix() for rel in vendor_shared.files_of(copy)}
    problems = [f"missing from {copy.relative_to(REPO)}: {name}" for name in sorted(theirs - ours)]
    problems += [f"not in {original}: {copy.relative_to(REPO)}/{name}" for name in sorted(ours - theirs)]
    problems += [f"differs from {original}/{name}: {copy.relative_to(REPO)}/{name}"
                 for name in sorted(theirs & ours) if (original / name).read_bytes() != (copy / name).read_bytes()]
    assert not problems, ("the vendored data do not match ../shared (run tools/vendor_shared.py):\n"
                          + "\n".join(problems))
