"""Fee schedule effective dating (Rate and Fee Schedule: "updated annually around July 1"); money as Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nemt.billing.claim_rules import build_claims
from nemt.billing.fees import FeeSchedule, FeeScheduleError, load_fee_schedule, price_claims

from .billing_factories import leg

CSV = """# PLACEHOLDER test rates
hcpcs,modifier,effective_from,effective_to,rate,unit
A0130,,2024-07-01,2025-06-30,30.00,trip
A0130,,2025-07-01,,31.10,trip
S0209,,2024-07-01,2025-06-30,2.335,mile
S0209,,2025-07-01,,2.40,mile
A0110,TN,2024-07-01,,3.00,ticket
A0110,SC:SE:TN,2024-07-01,,9.00,ticket
A0110,,2024-07-01,,2.50,ticket
"""


@pytest.fixture
def schedule():
    return FeeSchedule.from_csv(CSV, source="test.csv", ignore_modifiers=("76", "77"))


def test_june_30_and_july_1(schedule):
    assert schedule.rate("A0130", (), dt.date(2025, 6, 30)) == Decimal("30.00")
    assert schedule.rate("A0130", (), dt.date(2025, 7, 1)) == Decimal("31.10")
    assert schedule.rate("A0130", (), dt.date(2031, 1, 1)) == Decimal("31.10")  # open-ended


def test_before_first_period_has_no_rate(schedule):
    with pytest.raises(FeeScheduleError, match="no rate"):
        schedule.rate("A0130", (), dt.date(2024, 6, 30))


def test_price_is_decimal_rounded_half_up(schedule):
    charge = schedule.price("S0209", (), 3, dt.date(2025, 1, 1))  # 3 x 2.335 = 7.005
    assert charge == Decimal("7.01") and isinstance(charge, Decimal)


def test_modifier_rows_and_repeat_modifiers(schedule):
    day = dt.date(2025, 1, 1)
    assert schedule.rate("A0110", ("SC", "SE", "TN"), day) == Decimal("9.00")
    assert schedule.rate("A0110", ("TN", "76"), day) == Decimal("3.00")  # 76 does not change the rate
    assert schedule.rate("A0110", ("SE",), day) == Decimal("2.50")  # no SE row: the code's own row


def test_overlapping_periods_are_refused():
    bad = ("hcpcs,modifier,effective_from,effective_to,rate,unit\n"
           "A0130,,2024-07-01,2025-07-01,1,trip\n"
           "A0130,,2025-07-01,,2,trip\n")
    with pytest.raises(FeeScheduleError, match="overlap"):
        FeeSchedule.from_csv(bad)


def test_bad_rate_names_the_line():
    bad = "# c\nhcpcs,modifier,effective_from,effective_to,rate,unit\nA0130,,2024-07-01,,abc,trip\n"
    with pytest.raises(FeeScheduleError, match="line 3"):
        FeeSchedule.from_csv(bad)


def test_repository_schedule_is_marked_placeholder_and_prices_every_policy_code(policy):
    text = (policy.path.parent / policy.get("fee_schedule.file")).read_text()
    assert "PLACEHOLDER" in text.splitlines()[0]
    schedule = load_fee_schedule(policy)
    codes = {row.hcpcs for row in schedule.rows}
    for name, mode in policy.modes.items():
        for key in ("trip_code", "mileage_code"):
            if key in mode:
                assert mode[key] in codes, (name, key)
    for key in ("escort.hcpcs", "ancillary.member_lodging", "ancillary.member_meals", "ancillary.escort_lodging",
                "ancillary.escort_meals"):
        assert policy.get(key) in codes


def test_claims_priced_across_july_1(policy, schedule):
    legs = [leg("L1", date_of_service=dt.date(2025, 6, 30)), leg("L2", date_of_service=dt.date(2025, 7, 1))]
    claims = price_claims(build_claims(legs, [], policy).claims, schedule)
    charges = {(line.hcpcs, line.date_of_service): line.charge for c in claims for line in c.lines}
    assert charges[("A0130", dt.date(2025, 6, 30))] == Decimal("30.00")
    assert charges[("A0130", dt.date(2025, 7, 1))] == Decimal("31.10")
    assert charges[("S0209", dt.date(2025, 7, 1))] == Decimal("24.00")
    assert claims[0].total_charge == sum(charges.values())
