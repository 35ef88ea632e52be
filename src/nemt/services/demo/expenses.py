"""The demo's out-of-area trip with meals and lodging (Ancillary Services: Meals/Lodging): a Mesa County member rides
with Mile High Mobility to a Denver appointment that cannot be done in one calendar day — there on one day, back the
next. The provider records the member's meals and the night's lodging with their receipts, and bills the trip: the
claim carries the two legs and the per diem lines (A0190 meals up to the charge, A0180 lodging at the per diem)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from nemt.domain.actors import Actor
from nemt.domain.statuses import EventKind
from nemt.policy import load_policy
from nemt.store.models import Leg, Trip

_CLINIC = ("Denver Example Medical Center (demo)", "1 Example Medical Plaza, Denver, CO 80204", "80204")
_MILES = 243.0


def _receipt(text: str) -> bytes:
    """A one-page PDF receipt (synthetic)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _trip(uow, today: dt.date) -> tuple[str, list[str], int] | None:
    """The two-day trip, its legs assigned to the demo driver's vehicle; None when the demo has no Mesa member."""
    zone = load_policy("CO").time_zone
    driver = uow.network.driver_by_external_id("D101")
    member = next((m for m in uow.members.in_program("CO") if m.county == "Mesa"), None)
    vehicles = [v for v in uow.network.vehicles_of(driver.provider_id) if v.vehicle_type == "mobility-ambulatory"]
    if member is None or not vehicles:
        return None
    out_day, back_day = today - dt.timedelta(days=10), today - dt.timedelta(days=9)
    home = f"{member.address_line}, {member.city}, CO {member.zip}"
    trip = Trip(confirmation="DEMO-MEALS-1", idempotency_key="demo-meals-lodging-trip", program="CO",
                member_id=member.id, requested_by="member", requested_at=dt.datetime.combine(
                    out_day - dt.timedelta(days=7), dt.time(10), tzinfo=zone),
                appointment_at=dt.datetime.combine(out_day, dt.time(15), tzinfo=zone), service_date=out_day,
                purpose="medical", pickup_address=home, pickup_zip=member.zip, destination_name=_CLINIC[0],
                destination_address=_CLINIC[1], destination_zip=_CLINIC[2], destination_county="Denver",
                destination_state="CO", miles=_MILES, requested_mode="mobility-ambulatory",
                mode="mobility-ambulatory", outcome="approved", arranged_by="broker", round_trip=True)
    for sequence, day, origin, destination in ((1, out_day, (home, member.zip), _CLINIC[1:]),
                                               (2, back_day, _CLINIC[1:], (home, member.zip))):
        trip.legs.append(Leg(sequence=sequence, service_date=day, origin_address=origin[0], origin_zip=origin[1],
                             destination_address=destination[0], destination_zip=destination[1], miles=_MILES,
                             status="assigned", provider_id=driver.provider_id, vehicle_id=vehicles[0].id,
                             driver_id=driver.id))
    uow.rides.add_trip(trip)
    uow.commit()
    return trip.key, [leg.key for leg in trip.legs], driver.provider_id


def _drive(uow_class, leg_keys: list[str], today: dt.date) -> None:
    from nemt.services import trips

    zone = load_policy("CO").time_zone
    app = Actor.system("demo-driver-app")
    for back, key in zip((10, 9), leg_keys, strict=True):
        start = dt.datetime.combine(today - dt.timedelta(days=back), dt.time(8, 0), tzinfo=zone)
        dropped = {"loaded_miles": round(_MILES), "attachment_25mi": True, "trip_confirmed_by": "member"}
        for kind, minutes, data in ((EventKind.ARRIVED, 0, {}), (EventKind.PICKED_UP, 5, {"identity_verified": True}),
                                    (EventKind.DROPPED_OFF, 250, dropped)):
            with uow_class() as uow:
                trips.record_event(uow, app, key, kind, data, at=start + dt.timedelta(minutes=minutes))


def seed_expenses(uow_class, today: dt.date) -> int:
    """Seed the trip, its meals and lodging, and bill it; returns the number of expenses recorded."""
    from nemt.services.claims import build_claims_for_provider
    from nemt.services.claims.expenses import ExpenseIn, record_expense

    with uow_class() as uow:
        made = _trip(uow, today)
    if made is None:
        return 0
    trip_key, leg_keys, provider_id = made
    _drive(uow_class, leg_keys, today)
    out_day = today - dt.timedelta(days=10)
    evening = dt.datetime.combine(today - dt.timedelta(days=9), dt.time(19), tzinfo=load_policy("CO").time_zone)
    demo = Actor.system("demo")
    for kind, amount in (("meals", Decimal("27.40")), ("lodging", Decimal("119.00"))):
        with uow_class() as uow:
            command = ExpenseIn.model_validate({"kind": kind, "service_date": out_day, "amount": amount})
            record_expense(uow, demo, trip_key, command,
                           _receipt(f"Demo receipt: {kind} ${amount} on {out_day.isoformat()}"), evening)
    with uow_class() as uow:
        provider = uow.claims.provider(provider_id)
        build_claims_for_provider(uow, demo, provider, (out_day, today - dt.timedelta(days=9)), today=today)
    return 2
