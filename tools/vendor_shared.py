"""Copy the shared contract and data into the repository and write each folder's provenance note.

    python tools/vendor_shared.py [SHARED_DIR]      # default ../shared beside the repository

The repository must stand alone (a user's clone has no ``../shared/``), so the suite, the README's commands and
``make bench`` read these copies. ``tests/test_vendored_data.py`` compares them with ``../shared/`` file by file
whenever it exists, so run this after the shared contract changes and commit the result.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTE = "PROVENANCE.md"

# shared/ folder -> (repository folder, what it is, where it comes from and under which licence)
FOLDERS: dict[str, tuple[str, str, str]] = {
    "acceptance": (
        "tests/data/acceptance",
        "The acceptance contract: JSON cases for `nemt decide` and `nemt bill`, and the README that states the command "
        "contracts, vocabularies and the readings of open points.",
        "Written for this project from the two source documents (`docs/sources/`); synthetic people, IDs and "
        "addresses, no PHI. Same licence as the repository.",
    ),
    "data/x12": (
        "tests/data/x12",
        "X12 837P (005010X222A1) sample interchanges for the parser, the generator and the pyx12 check.",
        "See `README.md` in this folder: two files derive from LinuxForHealth/x12 (Apache-2.0, edits listed there), "
        "one is verbatim from it, one was written for this project.",
    ),
    "data/darp": (
        "benchmarks/data/darp",
        "The 48 dial-a-ride benchmark instances (Cordeau 2006 a/b sets, Ropke, Cordeau & Laporte 2007) with their "
        "proven optima (`bks.csv`) and the format notes (`FORMAT.md`).",
        "Public academic benchmark instances, distributed for research; `FORMAT.md` section 3 records where each "
        "file was taken from and how it was checked byte for byte.",
    ),
    "seeds": (
        "docs/sources",
        "The program documents every rule cites: the Health First Colorado NEMT billing manual and the Connecticut "
        "NEMT program notice, as plain text.",
        "Public documents of the Colorado Department of Health Care Policy & Financing and the Connecticut Department "
        "of Social Services, kept as text for citation.",
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_of(folder: Path) -> list[Path]:
    """Every file under ``folder``, relative, sorted; the provenance note itself is not part of the data."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and p.name != NOTE)


def note_text(source: str, folder: Path) -> str:
    _, what, origin = FOLDERS[source]
    rows = "\n".join(f"| `{rel.as_posix()}` | `{sha256(folder / rel)}` |" for rel in files_of(folder))
    return (
        f"# Provenance of this folder\n\n{what}\n\n"
        f"- Source: `shared/{source}/` of the project's shared contract, copied unchanged by "
        f"`python tools/vendor_shared.py`; `tests/test_vendored_data.py` compares the copy with `../shared/{source}/` "
        f"file by file whenever that folder exists.\n"
        f"- Origin and licence: {origin}\n\n"
        f"## SHA-256 of every file\n\n| file | sha256 |\n| --- | --- |\n{rows}\n"
    )


def vendor(shared: Path) -> None:
    for source, (target, _, _) in FOLDERS.items():
        src, dst = shared / source, REPO / target
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst)
        for path in dst.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        (dst / NOTE).write_text(note_text(source, dst))
        print(f"{source} -> {target} ({len(files_of(dst))} files)")


if __name__ == "__main__":
    vendor(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared")
