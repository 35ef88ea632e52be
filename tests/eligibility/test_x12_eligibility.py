"""The 270 writer, the 271 and 834 readers (pure): valid output, round trips, malformed files named by segment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nemt.billing.x12_270 import EligibilityInquiry, Party, check_x279, write_270
from nemt.billing.x12_271 import PLAN_NAMES, parse_271, plan_code
from nemt.billing.x12_834 import parse_834
from nemt.billing.x12_837p import X12WriteError
from nemt.billing.x12_ack import AckError
from nemt.billing.x12_validate import validate_x12
from nemt.policy import load_policy
from tests.eligibility import samples
from tests.eligibility.builders import Answer, Eb, Enrollee, Span, build_271, build_834

DOS = dt.date(2026, 3, 10)


def test_pyx12_has_no_005010X279A1_map_so_the_structure_check_stands_in():
    """If pyx12 ever ships the 5010 270/271 maps, the writer's output should go through it instead (x12_270)."""
    import pyx12

    maps = Path(pyx12.__file__).parent / "map"
    assert (maps / "834.5010.X220.A1.xml").is_file()
    assert not list(maps.glob("27[01].5010.X279*"))
    ok, messages = validate_x12(samples.inquiry_270())
    assert not ok and "engine error" in messages[0]


def test_the_270_is_one_member_and_date_under_the_structure_check():
    text = samples.inquiry_270()
    ok, problems = check_x279(text, {"270": "HS"})
    assert ok, problems
    lines = text.splitlines()
    assert "GS*HS*COSDEBROKER*COMEDASSISTPROG*20260302*0900*1*X*005010X279A1~" in lines
    assert "NM1*IL*1*Example*Pat****MI*A123456~" in lines
    assert "DTP*291*D8*20260310~" in lines and "EQ*30~" in lines
    assert lines[-3] == f"SE*{len(lines) - 4}*0001~"


def test_the_270_writer_refuses_what_it_cannot_write():
    good = samples.inquiry(trace="T1")
    with pytest.raises(X12WriteError, match="TRN02"):
        write_270(samples.inquiry(trace="T-1"), **samples.ENVELOPE)
    with pytest.raises(X12WriteError, match="NPI"):
        bad = EligibilityInquiry(**{**good.__dict__, "receiver": Party("X", "1234567890", "XX")})
        write_270(bad, **samples.ENVELOPE)
    with pytest.raises(X12WriteError, match="TRN03"):
        write_270(good, **{**samples.ENVELOPE, "originator": "9SHORT"})


@pytest.mark.parametrize("change, segment, words", [
    (("SE*13*0001", "SE*14*0001"), "SE", "SE01"),
    (("GS*HS", "GS*HB"), "ST", "GS01"),
    (("HL*3*2*22*0", "HL*3*9*22*0"), "HL", "hierarchy"),
    (("HL*3*2*22*0", "HL*3*1*22*0"), "HL", "hierarchy"),  # a subscriber right under the payer
    (("IEA*1*000000001", "IEA*1*000000002"), "IEA", "IEA02"),
    (("NM1*IL", "NM1*QC"), "HL", "NM1*IL"),
])
def test_the_structure_check_names_the_segment_in_error(change, segment, words):
    text = samples.inquiry_270().replace(*change)
    ok, problems = check_x279(text)
    assert not ok and f"({segment})" in problems[0] and words in problems[0], problems


def test_a_271_reads_into_active_coverage_plans_and_dates():
    policy = load_policy("CO")
    text = build_271([Answer("CO0000000001", "A123456", (Eb("1", "MEDICAID STATE PLAN", dt.date(2026, 1, 1)),)),
                      Answer("CO0000000002", "B234567", (Eb("1", "QMB ONLY", dt.date(2026, 1, 1),
                                                            dt.date(2026, 6, 30)),)),
                      Answer("CO0000000003", "C345678", (Eb("6", "MEDICAID STATE PLAN", None),)),
                      Answer("CO0000000004", "D456789", reject="75")])
    assert check_x279(text, {"271": "HB"}) == (True, [])
    active, qmb, inactive, rejected = parse_271(text)
    assert (active.trace, active.medicaid_id) == ("CO0000000001", "A123456")
    assert active.plans_on(DOS) == {"medicaid-state-plan"} and active.active_on(DOS, ["medicaid-state-plan"])
    assert active.benefits[0].start == dt.date(2026, 1, 1) and active.benefits[0].end is None
    assert active.benefits[0].meaning == "active coverage" and active.benefits[0].service_types == ("30",)
    assert qmb.plans_on(DOS) == {"QMB-only"} and not qmb.active_on(DOS, policy.get("eligibility.covering_plans"))
    assert qmb.excluded_on(DOS, policy.get("eligibility.excluded_plans")) == ("QMB-only",)
    assert qmb.plans_on(dt.date(2026, 7, 1)) == frozenset()  # the RD8 range ends June 30
    assert inactive.plans_on(DOS) == frozenset() and inactive.benefits[0].meaning == "inactive"
    assert rejected.rejections == ("75",) and rejected.reasons() == ("subscriber or insured not found",)
    assert "A123456" not in repr(active)


def test_the_manuals_excluded_groups_map_to_the_policys_plans():
    """Member Eligibility names QMB Only, SLMB Only, QI-1, OAP-state only, and CHP+ as not eligible."""
    excluded = set(load_policy("CO").get("eligibility.excluded_plans"))
    named = {plan_code(n) for n in ("Qualified Medicaid Beneficiary (QMB) Only",
                                    "Special Low-Income Medicare Beneficiary (SLMB) Only",
                                    "Medicare Qualifying Individual-1 (QI-1)",
                                    "Old Age Pension- State Only (OAP-state only)", "Child Health Plan Plus (CHP+)")}
    assert named == excluded
    assert set(PLAN_NAMES.values()) <= set(load_policy("CO").get("eligibility.all_plans")) | {"HUSKY"}
    assert plan_code("medicaid-state-plan") == "medicaid-state-plan" and plan_code("GOLD PLAN") is None


@pytest.mark.parametrize("change, where, words", [
    (("EB*1*IND*30**MEDICAID STATE PLAN", "EB*1*IND*30**GOLD PLAN"), "(EB)", "EB05"),
    (("TRN*2*", "TRN*3*"), "(HL)", "TRN*2"),
    (("DTP*346*D8*20260101", "DTP*346*D8*20261301"), "(DTP)", "not a date"),
    (("SE*12*0001", "SE*13*0001"), "(SE)", "SE01"),
])
def test_a_malformed_271_is_refused_naming_the_segment(change, where, words):
    text = build_271([Answer("CO0000000001", "A123456")])
    assert change[0] in text
    with pytest.raises(AckError) as refused:
        parse_271(text.replace(*change))
    assert where in refused.value.path and words in refused.value.message


def test_the_834_is_valid_under_pyx12_and_reads_back():
    spans = (Span("QMB ONLY", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
             Span("MEDICAID STATE PLAN", dt.date(2026, 7, 1)))
    text = build_834([Enrollee("A123456"), Enrollee("B234567", last_name="Sample", spans=spans)])
    assert validate_x12(text) == (True, [])
    first, second = parse_834(text)
    assert (first.medicaid_id, first.last_name, first.first_name, first.birth_date) == \
        ("A123456", "Example", "Pat", "1960-05-17")
    assert (first.address_line, first.city, first.state, first.zip, first.sex) == \
        ("1570 Grant St", "Denver", "CO", "80203", "F")
    assert [(s.plan, s.start, s.end) for s in second.spans] == [
        ("QMB-only", dt.date(2026, 1, 1), dt.date(2026, 6, 30)), ("medicaid-state-plan", dt.date(2026, 7, 1), None)]
    assert first.position == 7 and "A123456" not in repr(first)


def test_a_mailing_address_loop_does_not_replace_the_members_residence():
    """Loop 2100C (NM1*31, the mailing address) follows 2100A; the member's county comes from the residence."""
    text = build_834([Enrollee("A123456")]).replace(
        "DMG*D8*19600517*F~\n", "DMG*D8*19600517*F~\nNM1*31*1~\nN3*PO BOX 1~\nN4*Pueblo*CO*81003~\n")
    text = text.replace("SE*13*0001", "SE*16*0001")
    assert validate_x12(text) == (True, [])
    [member] = parse_834(text)
    assert (member.address_line, member.city, member.zip, member.last_name) == \
        ("1570 Grant St", "Denver", "80203", "Example")


@pytest.mark.parametrize("change, where", [
    (("HD*021**HLT*MEDICAID STATE PLAN", "HD*021**HLT*GOLD PLAN"), "(HD)"),
    (("REF*0F*A123456~\n", ""), "(INS)"),
    (("DTP*348*D8*20260101~\n", ""), "(HD)"),
    (("GS*BE", "GS*HS"), "(GS)"),
])
def test_a_malformed_834_is_refused_naming_the_segment(change, where):
    text = build_834([Enrollee("A123456")])
    assert change[0] in text
    with pytest.raises(AckError) as refused:
        parse_834(text.replace(*change))
    assert where in refused.value.path


def test_the_sample_files_are_the_writers_and_builders_output_and_pass_their_checks():
    """tests/data/x12_eligibility/ holds what `python -m tests.eligibility.samples` writes."""
    for name, text in samples.files().items():
        assert (samples.DIR / name).read_text(encoding="ascii") == text, name
    assert check_x279(samples.files()["sample_270.x12"], {"270": "HS"})[0]
    assert check_x279(samples.files()["sample_271.x12"], {"271": "HB"})[0]
    assert validate_x12(samples.files()["sample_834.x12"]) == (True, [])
