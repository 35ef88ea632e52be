"""Provider-network imports (all or nothing, per-row errors), credentials on the store, the expiring report."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.domain.actors import Actor
from nemt.domain.identifiers import make_npi
from nemt.services import network
from nemt.services.platform.errors import ImportRejected

SYSTEM = Actor.system("test")
NPI = make_npi("188000001")
PROVIDERS = ("name,npi,specialty,modes,service_counties\n"
             f"Acme Vans,{NPI},326,wheelchair-van;mobility-ambulatory,Denver\n")
DRIVERS = ("provider_npi,driver_id,name,licence_number,licence_expires,background_check_expires,training_expires\n"
           f"{NPI},D1,Jo Example,L-1,2027-01-01,2027-01-01,2026-12-01\n"
           f"{NPI},D2,Al Sample,L-2,2027-01-01,2027-01-01,2027-06-01\n")
VEHICLES = ("provider_npi,vehicle_id,vehicle_type,seats,wheelchair_positions,stretcher_positions,permit_type,"
            "permit_expires,inspection_expires,insurance_expires\n"
            f"{NPI},WV-1,wheelchair-van,4,2,0,common-carrier,2027-01-01,2026-02-01,2027-01-01\n"
            f"{NPI},WV-2,wheelchair-van,4,2,0,common-carrier,2027-01-01,2027-01-01,2027-01-01\n")


@pytest.fixture
def network_loaded(uow_factory):
    with uow_factory() as uow:
        network.import_transport_providers(uow, SYSTEM, "CO", "p.csv", PROVIDERS.encode())
    with uow_factory() as uow:
        assert network.import_drivers(uow, SYSTEM, "d.csv", DRIVERS.encode()) == 2
    with uow_factory() as uow:
        assert network.import_vehicles(uow, SYSTEM, "v.csv", VEHICLES.encode()) == 2
    return uow_factory


def test_lapsed_inspection_blocks_assignment(network_loaded):
    from sqlalchemy import select

    from nemt.store.models import Driver, Vehicle

    with network_loaded() as uow:
        d1 = uow.session.scalar(select(Driver).where(Driver.external_id == "D1"))
        wv1 = uow.session.scalar(select(Vehicle).where(Vehicle.external_id == "WV-1"))
        wv2 = uow.session.scalar(select(Vehicle).where(Vehicle.external_id == "WV-2"))
        day = dt.date(2026, 3, 10)
        blocked = network.assignment_check(d1, wv1, "wheelchair-van", day, "CO")
        assert [(p.subject, p.credential) for p in blocked.problems] == [("vehicle", "inspection")]
        assert network.assignment_check(d1, wv2, "wheelchair-van", day, "CO").ok
        later = network.assignment_check(d1, wv2, "wheelchair-van", dt.date(2026, 12, 2), "CO")
        assert [(p.subject, p.credential) for p in later.problems] == [("driver", "training")]


def test_reimport_updates_in_place(network_loaded):
    from sqlalchemy import func, select

    from nemt.store.models import CredentialRecord, Driver

    with network_loaded() as uow:
        network.import_drivers(uow, SYSTEM, "d.csv", DRIVERS.replace("2026-12-01", "2027-12-01").encode())
    with network_loaded() as uow:
        assert uow.session.scalar(select(func.count(Driver.id))) == 2
        assert uow.session.scalar(select(func.count(CredentialRecord.id))
                                  .where(CredentialRecord.owner_type == "driver")) == 6


def test_bad_vehicle_file_writes_nothing(network_loaded):
    from sqlalchemy import func, select

    from nemt.store.models import Vehicle

    bad = VEHICLES + f"{NPI},WV-3,wheelchair-van,4,0,0,,,2027-01-01,2027-01-01\n" + \
        f"{NPI},WV-4,hovercraft,4,0,0,,,2027-01-01,2027-01-01\n" + \
        f"{make_npi('188000002')},WV-5,sedan,4,0,0,,,2027-01-01,2027-13-01\n"
    with pytest.raises(ImportRejected) as err:
        with network_loaded() as uow:
            network.import_vehicles(uow, SYSTEM, "v.csv", bad.replace("WV-2,", "WV-2b,").encode())
    got = [(e.line, e.field) for e in err.value.errors]
    assert (4, "wheelchair_positions") in got and (5, "vehicle_type") in got and (6, "insurance_expires") in got
    with network_loaded() as uow:
        assert uow.session.scalar(select(func.count(Vehicle.id))) == 2


def test_unknown_provider_and_bad_npi_rejected(network_loaded):
    bad = DRIVERS.replace(f"{NPI},D2", "1234567890,D2")
    with pytest.raises(ImportRejected) as err:
        with network_loaded() as uow:
            network.import_drivers(uow, SYSTEM, "d.csv", bad.encode())
    assert [(e.line, e.field) for e in err.value.errors] == [(3, "provider_npi")]
    assert "check digit" in err.value.errors[0].reason


def test_expiring_report(network_loaded):
    with network_loaded() as uow:
        soon = network.expiring_credentials(uow, SYSTEM, dt.date(2026, 11, 15), 30)
    assert [(e.subject, e.credential, e.days_left) for e in soon] == [("driver D1 Jo Example", "training", 16)]


def test_medical_provider_import(uow_factory):
    npi = make_npi("177000001")
    good = ("npi,name,address_line,city,state,zip,county,services\n"
            f"{npi},Example Dialysis,1 Example Way,Denver,CO,80204,Denver,dialysis;primary-care\n")
    with uow_factory() as uow:
        assert network.import_medical_providers(uow, SYSTEM, "CO", "m.csv", good.encode()) == 1
    with pytest.raises(ImportRejected) as err:
        with uow_factory() as uow:
            network.import_medical_providers(uow, SYSTEM, "CO", "m.csv", good.replace("80204", "99999").encode())
    assert err.value.errors[0].field == "zip"


def test_demo_world_has_a_lapsed_credential(demo):
    with demo() as uow:
        report = network.expiring_credentials(uow, SYSTEM, dt.date(2026, 11, 23), 90)
    assert report, "the demo has credentials expiring within 90 days"
    assert all(0 <= e.days_left <= 90 for e in report)


def test_closest_qualified_provider_by_road_miles(demo):
    """From a Pueblo ZIP, the nearest dialysis is in Pueblo, then Colorado Springs; the 25-mile cut keeps Pueblo."""
    with demo() as uow:
        ranked = network.closest_medical_providers(uow, "CO", "81003", "dialysis")
        names = [r.provider.name for r in ranked]
        assert names[0].startswith("Pueblo") and names[1].startswith("Colorado Springs")
        assert ranked[0].miles < ranked[1].miles
        within = network.closest_medical_providers(uow, "CO", "81003", "dialysis", within_miles=25)
        assert [r.provider.name for r in within] == names[:1]
        assert network.closest_medical_providers(uow, "CO", "81003", "acupuncture") == []


def test_closest_cli_and_unknown_zip(db, demo):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import database_url_of

    env = {**os.environ, "NEMT_DATABASE_URL": database_url_of(db)}
    nemt = Path(sys.executable).with_name("nemt")
    run = subprocess.run([nemt, "providers", "closest", "--zip", "80203", "--service", "dialysis", "--k", "2"],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    import json

    rows = json.loads(run.stdout)
    assert len(rows) == 2 and rows[0]["miles"] <= rows[1]["miles"]
    run = subprocess.run([nemt, "providers", "closest", "--zip", "00000", "--service", "dialysis"],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 2 and "zip" in run.stderr and run.stdout == ""
