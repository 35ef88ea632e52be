"""The sample files of tests/data/x12_eligibility/: a 270 from the platform's writer, a 271 and an 834 from the
test-data builders. ``python -m tests.eligibility.samples`` writes them again; a test compares them with this
output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nemt.billing.x12_270 import EligibilityInquiry, Party, write_270
from tests.eligibility.builders import Answer, Eb, Enrollee, Span, build_271, build_834

DIR = Path(__file__).resolve().parent.parent / "data" / "x12_eligibility"
ENVELOPE = {"originator": "9COSDEBROK", "sender": "COSDEBROKER", "receiver": "COMEDASSISTPROG",
            "interchange_control_number": 1, "group_control_number": 1,
            "created_at": dt.datetime(2026, 3, 2, 9, 0)}


def inquiry(trace: str = "CO0000000001") -> EligibilityInquiry:
    """A fictitious member's question for 2026-03-10."""
    return EligibilityInquiry(trace, "A123456", "Example", "Pat", dt.date(1960, 5, 17), dt.date(2026, 3, 10),
                              Party("COLORADO MEDICAL ASSISTANCE PROGRAM", "CO_TXIX"),
                              Party("INTELLIRIDE BY TRANSDEV HEALTH SOLUTIONS", "COSDEBROKER", "SV"))


def inquiry_270() -> str:
    return write_270(inquiry(), **ENVELOPE)


def files() -> dict[str, str]:
    return {
        "sample_270.x12": inquiry_270(),
        "sample_271.x12": build_271([
            Answer("CO0000000001", "A123456"),
            Answer("CO0000000002", "B234567", (Eb("1", "QMB ONLY", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),)),
            Answer("CO0000000003", "C345678", (Eb("6", "MEDICAID STATE PLAN", None),)),
            Answer("CO0000000004", "D456789", reject="75")]),
        "sample_834.x12": build_834([
            Enrollee("A123456"),
            Enrollee("B234567", last_name="Sample", first_name="Lee", spans=(
                Span("QMB ONLY", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
                Span("MEDICAID STATE PLAN", dt.date(2026, 7, 1))))]),
    }


if __name__ == "__main__":
    DIR.mkdir(parents=True, exist_ok=True)
    for name, text in files().items():
        (DIR / name).write_text(text, encoding="ascii")
        print(DIR / name)
