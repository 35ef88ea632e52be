"""Claim statuses are one vocabulary (issue 17, item 6): ``nemt.domain.statuses.ClaimStatus``. The cost report once
skipped status ``"void"`` while the stored status is ``"voided"``; a status written as a string literal where claims
are built, sent, paid or reported is how that happens, so none may be."""

from __future__ import annotations

import re
from pathlib import Path

from nemt.domain.statuses import ClaimStatus

SRC = Path(__file__).resolve().parents[2] / "src" / "nemt"
# Where claims and their statuses are handled: code and templates.
CLAIM_CODE = [*sorted((SRC / "services" / "claims").glob("*.py")), *sorted((SRC / "services" / "reports").glob("*.py")),
              *sorted((SRC / "billing").glob("*.py")), SRC / "store" / "claim_models.py",
              SRC / "store" / "repositories" / "claims.py", SRC / "store" / "repositories" / "reports.py",
              *sorted((SRC / "web" / "templates" / "provider").glob("claims*.html")),
              *sorted((SRC / "web" / "templates" / "reports").glob("*.html"))]
WORDS = "|".join(sorted({s.value for s in ClaimStatus} | {"void", "sent", "rejected", "accepted"}))
# A status compared with, or set to, a quoted word: `status == "void"`, `status in ('paid', …)`, `status="ready"`.
LITERAL_STATUS = re.compile(rf"""status\b\s*(==|!=|=|:|\bin\b|\bnot in\b)\s*[\(\[\{{]?[^\n#]*?["']({WORDS})["']""",
                            re.IGNORECASE)


def test_no_claim_status_is_a_string_literal():
    found = [f"{path.relative_to(SRC)}:{n}: {line.strip()}" for path in CLAIM_CODE
             for n, line in enumerate(path.read_text().splitlines(), start=1) if LITERAL_STATUS.search(line)]
    assert not found, "use nemt.domain.statuses.ClaimStatus:\n" + "\n".join(found)


def test_the_check_finds_what_it_is_for():
    for line in ('if claim.status == "void":', "{% if c.status in ('exported', 'paid') %}",
                 'status: Mapped[str] = mapped_column(String(20), default="ready")', 'row.status = "paid"'):
        assert LITERAL_STATUS.search(line), line
    assert not LITERAL_STATUS.search("status = ClaimStatus.PAID")
