"""pyx12's messages quote element values — a member's name, a Medicaid ID (NM1*IL, NM1*QC) — and the messages reach
users, logs and problem+json: every gate we put pyx12 behind shows where the file fails, never what it holds."""

from __future__ import annotations

import pytest

from nemt.billing.x12_validate import validate_x12
from nemt.services.claims.checks import refuse_unless_own_valid, refuse_unless_valid
from nemt.services.platform.errors import InvalidInput
from tests.billing.test_x12_837p import _submissions, _write

NAME, MEDICAID_ID = "Sample", "Z300101"  # the member of case clm-001


@pytest.fixture
def overlong_member(acceptance_dir, policy) -> str:
    """An 837P whose subscriber name and ID are too long: pyx12 refuses it and quotes both values."""
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    text = _write(policy, log, subs)
    segment = f"NM1*IL*1*{NAME}*Amy****MI*{MEDICAID_ID}"
    assert segment in text, "the case's member must be in the file"
    text = text.replace(segment, f"NM1*IL*1*{NAME}{'Q' * 70}*Amy****MI*{MEDICAID_ID}{'Z' * 90}")
    ok, messages = validate_x12(text)
    assert not ok and any(NAME in m for m in messages) and any(MEDICAID_ID in m for m in messages), \
        "pyx12 must quote the values, else this test shows nothing"
    return text


def test_a_refused_file_names_the_segment_not_the_member(overlong_member):
    with pytest.raises(InvalidInput) as exc:
        refuse_unless_valid(overlong_member, "837P", "837P 005010X222A1", nothing="nothing was written")
    shown = f"{exc.value} {exc.value.field} {exc.value.rule}"
    assert NAME not in shown and MEDICAID_ID not in shown
    assert exc.value.field.startswith("segment ") and "(NM1)" in exc.value.field
    assert "Subscriber Last Name" in str(exc.value) and "nothing was written" in str(exc.value)


def test_our_own_file_refused_is_a_bug_without_the_member(overlong_member):
    with pytest.raises(RuntimeError) as exc:
        refuse_unless_own_valid(overlong_member, "sample 837P")
    assert "pyx12 refused our sample 837P" in str(exc.value)
    assert NAME not in str(exc.value) and MEDICAID_ID not in str(exc.value)
