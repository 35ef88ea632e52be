"""A third program from a policy file alone (issue 16, item 2).

``data/zz.toml`` is a fictional program ("ZZ", Vermont's real ZIP codes, its own rules, holidays, modes and rates);
with ``NEMT_PROGRAMS_DIR`` pointing at ``data/`` the platform carries it beside Colorado and Connecticut, and a ride
in it is booked, scheduled, logged and billed through the services — with no line of code naming it. A malformed
program file is refused at load, naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nemt.billing.x12_validate import validate_x12
from nemt.domain.actors import Actor, OrgKind, Role
from nemt.domain.decisions import decide
from nemt.domain.identifiers import make_npi
from nemt.domain.rides import CoverageSpan, Destination, HomeAddress, Member, RideRequest, Trip
from nemt.policy import PolicyError, load_policy, load_programs, program_codes
from nemt.services import claims, dispatch, network, rides
from nemt.services.members.eligibility import import_eligibility
from nemt.services.platform import accounts, organizations
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import InvalidInput
from nemt.services.trips import record_event
from nemt.settings import reload_settings

DATA = Path(__file__).parent / "data"
EASTERN = ZoneInfo("America/New_York")
DAY = dt.date(2026, 11, 10)  # a Tuesday, a week before the suite's clock: the ride is booked, driven and billed
BOOKED_AT = dt.datetime(2026, 11, 5, 10, 0, tzinfo=EASTERN)  # Thursday: 72 counted hours before the appointment
PROVIDER_NPI, CLINIC_NPI = make_npi("195000001"), make_npi("185000001")


@pytest.fixture
def programs_dir(monkeypatch):
    """The platform with the tests' program folder (``NEMT_PROGRAMS_DIR``) — and without it again afterwards."""

    def point_at(folder: Path) -> None:
        monkeypatch.setenv("NEMT_PROGRAMS_DIR", str(folder))
        reload_settings()

    point_at(DATA)
    yield point_at
    monkeypatch.delenv("NEMT_PROGRAMS_DIR")
    reload_settings()


def test_the_program_comes_from_its_file(programs_dir):
    assert program_codes() == ("CO", "CT", "ZZ")
    zz = load_programs()["ZZ"]
    assert (zz.state, str(zz.time_zone), zz.get("notice.required_hours")) == ("VT", "America/New_York", 24)
    assert zz.cite("decision") == "Green Mountain Example NEMT Rules (fictional) — 5. Decisions"


def _request(policy, requested_at: dt.datetime, appointment_at: dt.datetime, mode: str = "mobility-ambulatory"):
    """A ZZ member in Burlington (the broker's county) with the basic certification, to a clinic 3 miles away."""
    member = Member(medicaid_id="GM00001", name="Test Member", birth_date=dt.date(1960, 4, 2),
                    home=HomeAddress(zip="05401", county="Chittenden", state="VT"),
                    coverage=(CoverageSpan("medicaid-state-plan", dt.date(2026, 1, 1), None),),
                    documented_needs=frozenset({"cannot-use-less-costly-modes"}))
    trip = Trip(appointment_at=appointment_at, requested_mode=mode, destination=Destination(
        name="Test Clinic", zip="05403", county="Chittenden", state="VT", service="primary-care",
        service_covered=True, provider_enrolled=True, miles_from_home=3.0, closest_qualified_provider_miles=3.0,
        closest_provider_accepts_member=True))
    return RideRequest(program=policy.code, requested_at=requested_at, requested_by="member", member=member,
                       trip=trip)


def test_the_files_notice_rule_counts_its_own_holiday(programs_dir):
    """24 counted hours, weekends and the file's own "Lake Day" (Friday 2026-11-20) left out: Thursday 10:00 to
    Monday 09:00 counts 14 + 9 = 23 hours, short of 24; a Thursday request for Wednesday is long enough."""
    zz = load_policy("ZZ")
    thursday = dt.datetime(2026, 11, 19, 10, 0, tzinfo=EASTERN)
    late = decide(_request(zz, thursday, dt.datetime(2026, 11, 23, 9, 0, tzinfo=EASTERN)), zz, thursday)
    assert late.outcome == "denied"
    reason = next(r for r in late.reasons if r.code == "insufficient-notice")
    assert "asked for 23 h before" in reason.message and "24 hours of notice (one full weekday)" in reason.message
    assert reason.citation == "Green Mountain Example NEMT Rules (fictional) — 4. Notice and urgent rides"
    ok = decide(_request(zz, thursday, dt.datetime(2026, 11, 25, 9, 0, tzinfo=EASTERN)), zz, thursday)
    assert ok.outcome == "approved" and ok.mode == "mobility-ambulatory"
    # The file's mode ladder: no wheelchair certification on file, so the wheelchair van comes down to its
    # `downgrade_to`; the member lives in the broker's county (administration.broker_counties).
    van = decide(_request(zz, thursday, dt.datetime(2026, 11, 25, 9, 0, tzinfo=EASTERN), "wheelchair-van"), zz,
                 thursday)
    assert van.mode == "mobility-ambulatory" and "mode-downgraded" in {r.code for r in van.reasons}
    assert van.arranged_by == "sde"


# -- the whole chain, through the services --------------------------------------------------------------------------

MEMBERS_CSV = (
    "medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start,"
    "coverage_end,documented_needs\n"
    "GM00001,Testfirst,Zzyzxlast,1960-04-02,12 Example Lane,Burlington,VT,05401,Chittenden,medicaid-state-plan,"
    "2026-01-01,,cannot-use-less-costly-modes\n"
)
PROVIDERS_CSV = f"name,npi,specialty,modes,service_counties\nLake Example Vans,{PROVIDER_NPI},326," \
                "mobility-ambulatory;wheelchair-van,Chittenden\n"
CLINIC_CSV = f"npi,name,address_line,city,state,zip,county,services\n{CLINIC_NPI},Lake Example Clinic," \
             "400 Example St,South Burlington,VT,05403,Chittenden,primary-care\n"
DRIVERS_CSV = ("provider_npi,driver_id,name,licence_number,licence_expires,background_check_expires,"
               f"training_expires\n{PROVIDER_NPI},Z1,Jo Example-Driver,L-1,2028-01-01,2028-01-01,2028-01-01\n")
VEHICLES_CSV = ("provider_npi,vehicle_id,vehicle_type,seats,wheelchair_positions,stretcher_positions,permit_type,"
                "permit_expires,inspection_expires,insurance_expires,base_zip\n"
                f"{PROVIDER_NPI},ZV-1,wheelchair-van,4,1,0,,,2028-01-01,2028-01-01,05446\n")
PROFILE = dict(address_line="9 Example Lake Rd", city="Burlington", state="VT", zip="05401", tax_id="030000001",
               submitter_id="LAKEVANS1", submitter_name="LAKE EXAMPLE VANS", contact_name="BILLING DESK",
               phone="8025550101")


def _set_up(uow_factory) -> dict[str, Actor]:
    """The program's organizations, users, network and member, each through its service (the import services for
    the files). Returns the actors by user name."""
    system = Actor.system("test")
    with uow_factory() as uow:
        for kind, name in ((OrgKind.DEPARTMENT, "Green Mountain Example Department"),
                           (OrgKind.BROKER, "Example Lake Ride Broker")):
            organizations.create_organization(uow, system, organizations.NewOrganization(kind.value, name, "ZZ"))
        network.import_transport_providers(uow, system, "ZZ", "providers.csv", PROVIDERS_CSV.encode())
        network.import_medical_providers(uow, system, "ZZ", "clinics.csv", CLINIC_CSV.encode())
        network.import_drivers(uow, system, "drivers.csv", DRIVERS_CSV.encode())
        network.import_vehicles(uow, system, "vehicles.csv", VEHICLES_CSV.encode(), program="ZZ")
        result = import_eligibility(uow, system, "ZZ", "members.csv", MEMBERS_CSV.encode())
        assert result.created == 1
    users = (("zz-admin", Role.ADMIN, "Green Mountain Example Department"),
             ("zz-agent", Role.AGENT, "Example Lake Ride Broker"),
             ("zz-dispatcher", Role.DISPATCHER, "Example Lake Ride Broker"),
             ("zz-provider", Role.PROVIDER_ADMIN, "Lake Example Vans"),
             ("zz-driver", Role.DRIVER, "Lake Example Vans"))
    actors = {}
    with uow_factory() as uow:
        for username, role, org in users:
            issued = accounts.create_user(uow, system, accounts.NewUser(username, username, role.value, org, "ZZ"))
            actors[username] = actor_of(issued.user)
        # The demo's way of giving a driver record its log-in (no service links them yet).
        uow.network.driver_by_external_id("Z1").user_id = uow.users.by_username("zz-driver").id
        uow.commit()
    return actors


def test_book_schedule_log_and_bill_a_ride_of_the_third_program(programs_dir, uow_factory):
    actors = _set_up(uow_factory)
    agent, dispatcher, driver, provider = (actors[n] for n in ("zz-agent", "zz-dispatcher", "zz-driver",
                                                               "zz-provider"))
    assert agent.program == "ZZ"
    appointment = dt.datetime.combine(DAY, dt.time(10, 0), tzinfo=EASTERN)

    # 1. The agent books a round trip: decided by the file's rules (notice, modes, who arranges).
    with uow_factory() as uow:
        member = uow.members.in_program("ZZ")[0]
        clinic = uow.network.medical_provider("ZZ", CLINIC_NPI)
        request = rides.RideRequestIn(
            member=member.key, destination=rides.DestinationIn(provider=clinic.key, service="primary-care"),
            requested_mode="wheelchair-van", round_trip=True, appointment_at=appointment,
            return_pickup_at=appointment + dt.timedelta(hours=1))
        with pytest.raises(InvalidInput, match="is not a mode of the ZZ program") as refused:  # zz.toml has no taxi
            rides.book_ride(uow, agent, request.model_copy(update={"requested_mode": "taxi"}), BOOKED_AT)
        assert refused.value.field == "requested_mode"
        booked = rides.book_ride(uow, agent, request, BOOKED_AT)
        trip_key = booked.trip.key
        assert booked.decision.outcome == "approved", booked.decision.reasons
        assert booked.decision.mode == "mobility-ambulatory"  # the file's ladder: no wheelchair certification
        assert booked.decision.arranged_by == "sde"  # Chittenden is the file's broker county
        assert booked.trip.program == "ZZ" and booked.trip.service_date == DAY

    # 2. The dispatcher plans the day (solver, then the independent checker) on the program's one vehicle.
    with uow_factory() as uow:
        planned = dispatch.schedule_day(uow, dispatcher, "ZZ", DAY, time_limit=1.0,
                                        now=dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(18),
                                                                tzinfo=EASTERN))
    assert planned.verified and planned.assigned == 2 and planned.unassigned == []

    # 3. The driver logs both legs in the program's time zone.
    with uow_factory() as uow:
        legs = sorted(uow.rides.visible_trip(dispatcher, trip_key).legs, key=lambda leg: leg.sequence)
        leg_keys = [leg.key for leg in legs]
    for leg_key, start in zip(leg_keys, (dt.time(9, 20), dt.time(11, 5)), strict=True):
        t0 = dt.datetime.combine(DAY, start, tzinfo=EASTERN)
        for kind, at, data in (("arrived", t0, {}),
                               ("picked-up", t0 + dt.timedelta(minutes=3), {"identity_verified": True}),
                               ("dropped-off", t0 + dt.timedelta(minutes=25),
                                {"loaded_miles": 4, "trip_confirmed_by": "member"})):
            with uow_factory() as uow:
                record_event(uow, driver, leg_key, kind, data, at)

    # 4. The provider builds the claim (the file's codes and rates) and exports a pyx12-valid 837P.
    with uow_factory() as uow:
        claims.set_billing_profile(uow, provider, None, **PROFILE)
    with uow_factory() as uow:
        built = claims.build_claims_for_provider(uow, provider, None, (DAY, DAY), today=DAY + dt.timedelta(days=2))
    assert len(built.claims) == 1, built
    with uow_factory() as uow:
        claim = claims.get_claim(uow, provider, built.claims[0]["claim_number"])
    lines = {(line["hcpcs"], tuple(line["modifiers"]), line["units"], str(line["charge"])) for line in claim["lines"]}
    assert claim["program"] == "ZZ" and claim["payer"] == "broker"  # the file's broker county pays
    assert ("A0120", ("TK",), 1, "31.50") in lines and ("A0425", (), 4, "9.60") in lines  # zz's fee schedule
    assert ("A0120", ("TK", "76"), 1, "31.50") in lines
    with uow_factory() as uow:
        exported = claims.export_claims(uow, provider, fmt="837p")
    text = exported.content.decode()
    ok, problems = validate_x12(text)
    assert ok, problems
    payer = next(seg for seg in text.split("~\n") if seg.startswith("NM1*PR*"))
    assert "GMBROKER" in payer  # the file's broker, who pays the rides of its county ([payers])


def test_a_program_outside_the_folder_is_unknown(uow_factory):
    with pytest.raises(PolicyError, match="unknown program 'ZZ'"):
        load_policy("ZZ")
    with uow_factory() as uow, pytest.raises(InvalidInput, match="the program is one of CO, CT"):
        organizations.create_organization(uow, Actor.system("test"),
                                          organizations.NewOrganization("broker", "Example", "ZZ"))


@pytest.mark.parametrize("replace, key, problem", [
    (('rules = ["eligibility", ', 'rules = ["eligibility", "telepathy", '), "decision.rules[1]",
     "unknown rule 'telepathy'"),
    (('holiday_calendar = "US-VT"', 'holiday_calendar = "XX-YY"'), "notice.holiday_calendar", "unknown calendar"),
    (("holiday_dates = [2026-11-20,", 'holiday_dates = ["Lake Day",'), "notice.holiday_dates[0]", "must be a date"),
    (('code = "ZZ"', 'code = "ZZZ"'), "program.code", "two capital letters"),
    (("urgent = [", "urgently = ["), "decision.sections.urgently", "not a reason code"),
    (('[decision]\nrules = [', '[decision]\nrulez = ['), "decision.rules", "missing"),
    (('downgrade_to = "mobility-ambulatory"', 'downgrade_to = "hovercraft"'), "modes.wheelchair-van.downgrade_to",
     "unknown mode"),
])
def test_a_malformed_program_file_is_refused_naming_file_and_key(programs_dir, tmp_path, replace, key, problem):
    text = (DATA / "zz.toml").read_text()
    assert replace[0] in text, "the test's anchor must exist in the real file"
    (tmp_path / "zz.toml").write_text(text.replace(replace[0], replace[1], 1))
    shutil.copy(DATA / "fee_schedule_zz.csv", tmp_path)
    programs_dir(tmp_path)
    with pytest.raises(PolicyError) as err:
        load_programs()
    assert err.value.file == str(tmp_path / "zz.toml")
    assert err.value.key == key and problem in err.value.problem


def test_a_program_file_may_not_take_an_installed_programs_code(programs_dir, tmp_path):
    (tmp_path / "co.toml").write_text((DATA / "zz.toml").read_text())
    programs_dir(tmp_path)
    with pytest.raises(PolicyError) as err:
        program_codes()
    assert err.value.file == str(tmp_path / "co.toml") and err.value.key == "program.code"
