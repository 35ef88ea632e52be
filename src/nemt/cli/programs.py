"""The programs an option may name, for the help texts: :func:`nemt.policy.program_codes` (the packaged programs and
those of ``NEMT_PROGRAMS_DIR``), read when the command starts."""

from __future__ import annotations

from nemt.policy import PolicyError, program_codes

__all__ = ["program_help"]


def program_help(more: str = "") -> str:
    """``"the program: CO, CT"`` (+ ``more``); a programs folder that cannot be read is said, not raised (the
    command that uses it names the problem)."""
    try:
        codes = ", ".join(program_codes())
    except PolicyError:
        codes = "CO, CT and those of NEMT_PROGRAMS_DIR (which cannot be read)"
    return f"the program: {codes}{more}"
