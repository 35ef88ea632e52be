"""Connecticut in the demo (issue 16, point 1): its network (a transportation provider with drivers and vehicles,
medical providers in its three counties), rides on both sides of the LogistiCare -> Veyo date, the 48-hour notice
with weekends and holidays, urgent same/next-day rides, the broker's number in denials, a driven week, and reports
with data for the Connecticut auditor."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from nemt import clock
from nemt.policy import load_policy
from nemt.services import reports
from nemt.services.platform.auth import actor_of
from nemt.store.models import Leg, MedicalProvider, Notice, Trip, Vehicle

CT = load_policy("CT")


def test_connecticut_is_served_end_to_end_in_the_demo(demo_with_rides):
    today = clock.today(CT.time_zone)
    with demo_with_rides() as uow:
        medical = uow.session.scalars(select(MedicalProvider).where(MedicalProvider.program == "CT")).all()
        assert {m.county for m in medical} == {"Hartford", "New Haven", "Fairfield"}
        [provider] = [p for p in uow.network.providers() if p.organization.program == "CT"]
        vehicles = uow.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider.id)).all()
        assert len(vehicles) >= 6 and {v.vehicle_type for v in vehicles} >= {"sedan", "wheelchair-van"}
        assert uow.users.by_username("ct-driver") is not None

        trips = uow.session.scalars(select(Trip).where(Trip.program == "CT")).all()
        by_broker = Counter((t.arranged_by, t.service_date < dt.date(2018, 1, 1)) for t in trips)
        assert by_broker[("LogistiCare", True)] >= 1 and by_broker[("Veyo", False)] >= 1
        reasons = Counter(code for t in trips for code in t.reason_codes or [])
        assert reasons["insufficient-notice"] >= 3 and reasons["urgent"] >= 2
        urgent = [t for t in trips if t.urgent]
        assert urgent and {t.outcome for t in urgent} == {"approved"}

        # Every Connecticut denial names the broker of the appointment date and its number.
        denials = uow.session.scalars(select(Notice).join(Trip, Trip.id == Notice.trip_id).where(
            Trip.program == "CT", Notice.kind == "denied")).all()
        assert denials
        for notice in denials:
            trip = next(t for t in trips if t.id == notice.trip_id)
            phone = "1-888-248-9895" if trip.arranged_by == "LogistiCare" else "1-855-478-7350"
            assert phone in notice.appeal
            late = [r for r in notice.reasons if r["code"] == "insufficient-notice"]
            for reason in late:
                assert "48 hours of notice" in reason["message"] and phone in reason["message"]
        # The New Year's Day weekend of 2018: asked on Friday December 29 for Tuesday January 2 -> 24 hours counted.
        new_year = [t for t in trips if t.service_date == dt.date(2018, 1, 2)]
        assert [t.outcome for t in new_year] == ["denied"]
        assert "24 h before" in new_year[0].decision["reasons"][0]["message"]

        legs = [leg for leg in uow.session.scalars(select(Leg).join(Trip).where(Trip.program == "CT"))
                if today - dt.timedelta(days=7) <= leg.service_date < today]
        assert Counter(leg.status for leg in legs)["completed"] >= 10

        auditor = actor_of(uow.users.by_username("ct-auditor"))
    week = (today - dt.timedelta(days=7), today - dt.timedelta(days=1))
    for name in ("trips-by-day", "trips-by-mode", "on-time", "ride-time", "denials", "credentials"):
        with demo_with_rides() as uow:
            report = reports.run(uow, auditor, name, *week)
        assert report.rows, name
