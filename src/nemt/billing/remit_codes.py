"""The 835's adjustment and remark codes in words: CARC (CAS02, with its group code CAS01) and RARC (MOA, LQ).

The tables are data (``billing/codes/carc.csv``, ``rarc.csv``), each row with its public source and the day it was
read (see ``billing/codes/README.md``). A code not in the tables is shown by its number, pointing at the X12 list.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

__all__ = ["GROUPS", "carc_text", "describe_adjustment", "rarc_text"]

_HERE = Path(__file__).with_name("codes")
# CAS01 claim adjustment group codes (835 TR3).
GROUPS = {"CO": "contractual obligation", "CR": "correction and reversal", "OA": "other adjustment",
          "PI": "payer initiated reduction", "PR": "patient responsibility"}


@cache
def _table(name: str) -> dict[str, str]:
    with (_HERE / name).open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["description"] for row in csv.DictReader(handle)}


def carc_text(code: str) -> str:
    return _table("carc.csv").get(code, f"reason code {code} (see the X12 claim adjustment reason code list)")


def rarc_text(code: str) -> str:
    return _table("rarc.csv").get(code, f"remark code {code} (see the X12 remittance advice remark code list)")


def describe_adjustment(group: str, reason: str) -> str:
    """"CO-45: contractual obligation — Charge exceeds fee schedule/…"."""
    return f"{group}-{reason}: {GROUPS.get(group, group)} — {carc_text(reason)}"
