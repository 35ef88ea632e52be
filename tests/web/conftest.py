"""Fixtures and reporting of the page tests. The browser tests (test_browser.py) start their own server; the others
use the suite's ``client`` fixture (the app in-process on a demo-seeded database)."""

from __future__ import annotations

import time
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    """Name the screenshot folder when this run took screenshots."""
    if SCREENSHOTS.is_dir() and any(p.stat().st_mtime >= _STARTED for p in SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")

