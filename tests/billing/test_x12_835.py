"""835 remittance: payments, adjustments and denials per claim; a malformed 835 is rejected whole, naming the
segment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nemt.billing.x12_835 import RemittanceError, parse_835
from nemt.contracts import ContractError

ISA = "ISA*00*          *00*          *ZZ*COMEDASSISTPROG*ZZ*TP1234567      *260301*1200*^*00501*000000101*0*T*:~"

BODY = [
    "GS*HP*COMEDASSISTPROG*TP1234567*20260301*1200*101*X*005010X221A1",
    "ST*835*0001",
    "BPR*I*79.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260302",
    "TRN*1*EFT0001*1512345678",
    "DTM*405*20260301",
    "N1*PR*COLORADO MEDICAL ASSISTANCE PROGRAM",
    "N1*PE*EXAMPLE WHEELCHAIR VAN LLC*XX*1990000014",
    "LX*1",
    "CLP*TRIP0001*1*74.00*64.00*0*MC*2026060000001*41*1",
    "NM1*QC*1*DOE*JANE****MI*A123456",
    "SVC*HC:A0130*50.00*45.00**1",
    "DTM*472*20261020",
    "CAS*CO*45*5.00",
    "SVC*HC:S0209:76*24.00*19.00**12",
    "DTM*472*20261020",
    "CAS*CO*45*3.00**253*2.00",
    "CLP*TRIP0002*4*74.00*0*0*MC*2026060000002*41*1",
    "NM1*QC*1*DOE*JANE****MI*A123456",
    "CAS*CO*96*74.00",
    "CLP*TRIP0003*1*20.00*15.00*5.00*MC*2026060000003*41*1",
    "CAS*PR*2*5.00",
    "SE*{count}*0001",
    "GE*1*101",
    "IEA*1*000000101",
]


def make_835(body=None) -> str:
    body = list(body or BODY)
    st = next(i for i, s in enumerate(body) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(body) if s.startswith("SE*"))
    body[se] = body[se].replace("{count}", str(se - st + 1))
    return ISA + "\n" + "".join(s + "~\n" for s in body)


def test_payments_adjustments_and_denials_post():
    remit = parse_835(make_835())
    assert remit.total_paid == Decimal("79.00") and remit.payment_method == "ACH"
    assert remit.payment_date == dt.date(2026, 3, 2) and remit.trace_number == "EFT0001"
    assert remit.payee_npi == "1990000014"
    paid, denied, coinsured = remit.claims
    assert (paid.claim_number, paid.status, paid.paid) == ("TRIP0001", "processed-as-primary", Decimal("64.00"))
    assert [(s.hcpcs, s.modifiers, s.paid, s.units) for s in paid.services] == [
        ("A0130", (), Decimal("45.00"), Decimal("1")), ("S0209", ("76",), Decimal("19.00"), Decimal("12"))]
    assert paid.services[0].date_of_service == dt.date(2026, 10, 20)
    assert [(a.group, a.reason, a.amount) for a in paid.all_adjustments] == [
        ("CO", "45", Decimal("5.00")), ("CO", "45", Decimal("3.00")), ("CO", "253", Decimal("2.00"))]
    assert denied.denied and denied.paid == 0 and denied.payer_claim_number == "2026060000002"
    assert [(a.group, a.reason) for a in denied.adjustments] == [("CO", "96")]
    assert remit.denials == (denied,)
    assert coinsured.patient_responsibility == Decimal("5.00") and coinsured.adjustments[0].group == "PR"


def _broken(index: int, replacement: str) -> str:
    body = list(BODY)
    body[index] = replacement
    return make_835(body)


@pytest.mark.parametrize("index, replacement, segment_id", [
    (8, "CLP*TRIP0001*1*74.00*sixty*0*MC*2026060000001*41*1", "CLP"),  # amount not a number
    (8, "CLP*TRIP0001*99*74.00*64.00*0*MC*2026060000001*41*1", "CLP"),  # unknown status code
    (12, "CAS*ZZ*45*5.00", "CAS"),  # unknown group code
    (10, "SVC*A0130*50.00*45.00**1", "SVC"),  # composite without qualifier
    (2, "BPR*I*80.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260302", "BPR"),  # unbalanced
    (1, "ST*837*0001", "ST"),
])
def test_malformed_835_is_rejected_naming_the_segment(index, replacement, segment_id):
    with pytest.raises(RemittanceError) as info:
        parse_835(_broken(index, replacement))
    error = info.value
    assert isinstance(error, ContractError)
    assert error.segment_id == segment_id
    assert error.path == f"segment {error.position} ({segment_id})"
    assert error.position == index + 2  # ISA is segment 1


def test_wrong_segment_count_is_rejected():
    text = make_835()
    count = int(text.split("SE*", 1)[1].split("*", 1)[0])
    text = text.replace(f"SE*{count}*0001", f"SE*{count - 1}*0001")
    with pytest.raises(RemittanceError, match=r"SE01"):
        parse_835(text)


def test_not_an_interchange():
    with pytest.raises(RemittanceError) as info:
        parse_835("hello")
    assert info.value.segment_id == "ISA"


def test_member_data_not_in_error_messages():
    with pytest.raises(RemittanceError) as info:
        parse_835(_broken(8, "CLP*TRIP0001*1*74.00*sixty*0*MC*2026060000001*41*1"))
    assert "A123456" not in str(info.value) and "DOE" not in str(info.value)


@pytest.mark.parametrize("index, replacement, element", [
    # An amount in exponent notation is a number to Decimal, and one no column can hold: refused.
    (8, "CLP*TRIP0001*1*74.00*1E+999999*0*MC*2026060000001*41*1", "CLP04"),
    (8, "CLP*TRIP0001*1*74.00*64.00*0*MC*2026060000001*41*1E2", None),  # CLP09 is not money: untouched
    (8, "CLP*TRIP0001*1*74.00*1234567890123456789.00*0*MC*2026060000001*41*1", "CLP04"),  # over 18 digits
    (8, "CLP*TRIP0001*1*74.00*-64.00*0*MC*2026060000001*41*1", "CLP04"),  # a negative payment, not a reversal
    (8, "CLP*TRIP0001*1*-74.00*64.00*0*MC*2026060000001*41*1", "CLP03"),
    (2, "BPR*I*-79.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260302", "BPR02"),
])
def test_amounts_must_be_plain_and_payments_not_negative(index, replacement, element):
    if element is None:
        parse_835(_broken(index, replacement))
        return
    with pytest.raises(RemittanceError) as info:
        parse_835(_broken(index, replacement))
    assert element in info.value.message


def test_a_reversal_carries_negative_amounts():
    """CLP02 22 (reversal of a previous payment) negates the original's charge and payment (835 TR3: reversals and
    corrections)."""
    body = list(BODY)
    body[2] = "BPR*I*0.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260302"
    body[8:20] = ["CLP*TRIP0001*22*-74.00*-64.00*0*MC*2026060000001*41*1",
                  "CLP*TRIP0001*1*74.00*64.00*0*MC*2026060000004*41*1"]
    reversal, corrected = parse_835(make_835(body)).claims
    assert reversal.paid == Decimal("-64.00") and corrected.paid == Decimal("64.00")
