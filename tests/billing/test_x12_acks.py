"""999, TA1 and 277CA: our sample writers' files pass pyx12 and read back; malformed files are refused naming the
segment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nemt.billing.x12_277ca import ClaimAnswer, parse_277ca, write_277ca
from nemt.billing.x12_999 import ElementError, SegmentError, SetResult, parse_999, write_999, write_ta1
from nemt.billing.x12_ack import AckError, validate_acknowledgment
from nemt.billing.x12_validate import validate_x12

NOW = dt.datetime(2026, 11, 17, 9, 30)
SV1_ERROR = SegmentError("0001", "SV1", 34, "2400", "8", (ElementError("3", "355", "7"),))


def _999(*results: SetResult, group: int = 42) -> str:
    return write_999(group, results, acknowledged_version="005010X222A1", sender="COMEDASSISTPROG",
                     receiver="TP1234567", interchange_control_number=7, own_group_control_number=8, created_at=NOW)


def _277(*answers: ClaimAnswer) -> str:
    return write_277ca(answers, payer_name="COLORADO MEDICAL ASSISTANCE PROGRAM", payer_id="CO_TXIX",
                       submitter_name="EXAMPLE", submitter_id="TP1234567", provider_name="EXAMPLE TRANSIT",
                       provider_npi="1234567893", batch_reference="000000012", interchange_control_number=5,
                       group_control_number=6, created_at=NOW)


def _answer(number: str, category: str = "A2", payer_number: str = "P1") -> ClaimAnswer:
    return ClaimAnswer(number, category, "20" if category == "A2" else "21", Decimal("45.00"), dt.date(2026, 11, 10),
                       "Z100001", "PERSON", "TEST", payer_number)


def test_an_accepting_999_passes_pyx12_and_reads_back():
    text = _999(SetResult("0001"))
    assert validate_x12(text) == (True, [])
    (ack,) = parse_999(text)
    assert (ack.kind, ack.group_control_number, ack.status, ack.errors) == ("999", 42, "accepted", ())


def test_a_rejecting_999_names_the_segment_in_error():
    text = _999(SetResult("0001", "R", (SV1_ERROR,)))
    assert validate_x12(text) == (True, [])
    (ack,) = parse_999(text)
    assert ack.status == "rejected" and ack.meaning == "rejected"
    (error,) = ack.errors
    assert (error.segment_id, error.position, error.loop, error.code) == ("SV1", 34, "2400", "8")
    assert error.describe() == ("segment SV1 at position 34 (loop 2400): segment has data element errors; "
                                "element 3: invalid code value")


def test_partial_acceptance():
    (ack,) = parse_999(_999(SetResult("0001"), SetResult("0002", "R", (SV1_ERROR,))))
    assert ack.code == "P" and ack.status == "partially-accepted"
    assert [t.accepted for t in ack.transaction_sets] == [True, False]


def test_ta1_alone_is_checked_and_read():
    text = write_ta1(123, NOW, "R", "022", sender="COMEDASSISTPROG", receiver="TP1234567",
                     interchange_control_number=9, created_at=NOW)
    assert validate_acknowledgment(text) == (True, [])
    (ack,) = parse_999(text)
    assert (ack.kind, ack.interchange_control_number, ack.status) == ("TA1", 123, "rejected")
    assert ack.meaning == "rejected: invalid control structure"
    broken = text.replace("IEA*0*", "IEA*1*")
    ok, messages = validate_acknowledgment(broken)
    assert not ok and messages[0].startswith("segment 3 (IEA)")


def test_ta1_with_a_999_is_checked_by_pyx12_without_the_ta1():
    lines = _999(SetResult("0001")).splitlines()
    text = "\n".join([lines[0], "TA1*000000123*261117*0930*A*000~", *lines[1:]]) + "\n"
    assert validate_acknowledgment(text) == (True, [])
    assert [a.kind for a in parse_999(text)] == ["TA1", "999"]
    assert not validate_acknowledgment(text.replace("AK9*A", "AK9*Z"))[0]


def test_277ca_passes_pyx12_and_reads_each_claim():
    text = _277(_answer("CL0000000001"), _answer("CL0000000002", "A7", ""))
    assert validate_x12(text) == (True, [])
    accepted, rejected = parse_277ca(text)
    assert (accepted.claim_number, accepted.accepted, accepted.payer_claim_number) == ("CL0000000001", True, "P1")
    assert (rejected.claim_number, rejected.accepted, rejected.meaning) == (
        "CL0000000002", False, "rejected for invalid information")
    assert accepted.amount == Decimal("45.00")


def test_pyx12_refuses_an_unknown_segment_in_a_999():
    ok, messages = validate_x12(_999(SetResult("0001")).replace("AK9*A*1*1*1~", "AK9*A*1*1*1~\nXYZ*1~"))
    assert not ok and any("XYZ" in m for m in messages)


@pytest.mark.parametrize("text, path", [
    ("GS*FA~", "segment 1 (ISA)"),
    ("ISA*00*" + " " * 10 + "*00*" + " " * 10 + "*ZZ*A" + " " * 14 + "*ZZ*B" + " " * 14
     + "*261117*0930*^*00501*000000007*0*T*:~\nGS*FA*A*B*20261117*0930*8*X*005010X231A1~\nST*999*0001*005010X231A1~\n"
       "AK1*HC*42*005010X222A1~\nSE*3*0001~\nGE*1*8~\nIEA*1*000000007~\n", "segment 3 (ST)"),
])
def test_the_reader_names_the_segment(text, path):
    with pytest.raises(AckError) as exc:
        parse_999(text)
    assert exc.value.path == path


def test_a_277ca_claim_without_status_is_refused():
    text = _277(_answer("CL0000000001")).replace("STC*A2:20*", "STC*A9:20*")
    with pytest.raises(AckError) as exc:
        parse_277ca(text)
    assert exc.value.path.endswith("(STC)") and "A9" in exc.value.message
