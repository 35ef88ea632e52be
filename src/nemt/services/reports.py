"""Program reports for auditors, administrators and dispatchers: each a table, a chart choice and a CSV export.

Every report is scoped to the actor's program, covers the service dates ``start``..``end`` (inclusive, in the
program's zone: ``Trip.service_date`` is already a local date) and carries counts and sums only — never a member's
name, ID or birth date. Reading a report writes an audit record.

Reports (``REPORTS``): trips by day, by mode and by county (the member's county); on-time pick-ups (the trip log's
pick-up against the planned pick-up, or the requested one when none was planned, within the program's
``operations.pickup_window_minutes``); no-shows and cancellations; average ride time (pick-up to drop-off);
cost per trip and per member (claims' total charges); denials by reason; credentials expiring within 30/60/90 days;
claims by status.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, exists, select

from nemt import clock
from nemt.domain.actors import Actor, Role
from nemt.policy import load_policy
from nemt.services import network
from nemt.services.platform import access, audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.store.models import Claim, ClaimLine, Leg, Member, TransportProvider, Trip

REPORT_ROLES = {Role.AUDITOR, Role.ADMIN, Role.DISPATCHER}

# The trip-log status of a leg whose member did not come (services.trip_log.TERMINAL_STATUS).
NO_SHOW = "no-show"
MAX_DAYS = 366


@dataclass
class Report:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    chart: str | None = "bar"  # bar | column | None
    label_column: int = 0
    value_column: int = 1
    unit: str = ""
    citation: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def chart_items(self) -> list[tuple[str, float]]:
        return [(str(r[self.label_column]), float(r[self.value_column] or 0)) for r in self.rows]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
        return out.getvalue()


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    build: Callable


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _trips(uow, actor: Actor, start: dt.date, end: dt.date):
    query = select(Trip, Member.county).join(Member, Member.id == Trip.member_id).where(
        Trip.service_date >= start, Trip.service_date <= end)
    if actor.program:
        query = query.where(Trip.program == actor.program)
    return list(uow.session.execute(query))


def _legs_with_logs(uow, actor: Actor, start: dt.date, end: dt.date):
    """(leg, trip, current trip log) for the period's legs; the log is the trip-log service's fold of the leg's
    events, so corrections count."""
    from nemt.services.trip_log import load_logs

    query = select(Leg, Trip).join(Trip, Trip.id == Leg.trip_id).where(
        Leg.service_date >= start, Leg.service_date <= end)
    if actor.program:
        query = query.where(Trip.program == actor.program)
    rows = list(uow.session.execute(query))
    logs = load_logs(uow.session, [leg.id for leg, _ in rows]) if rows else {}
    return [(leg, trip, logs[leg.id]) for leg, trip in rows]


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


# --- the reports ----------------------------------------------------------------------------------------------------


def trips_by_day(uow, actor, start, end, policy) -> Report:
    counts: dict[dt.date, Counter] = {d: Counter() for d in _days(start, end)}
    for trip, _county in _trips(uow, actor, start, end):
        c = counts.setdefault(trip.service_date, Counter())
        c["booked"] += 1
        c["cancelled" if trip.status == "cancelled" else trip.outcome] += 1
    rows = [(d, c["booked"], c["approved"], c["pending"], c["denied"], c["cancelled"])
            for d, c in sorted(counts.items())]
    return Report("trips-by-day", "Trips by day", "Ride requests by date of service and outcome.",
                  ("date", "requests", "approved", "pending", "denied", "cancelled"), rows, chart="column")


def trips_by_mode(uow, actor, start, end, policy) -> Report:
    c = Counter(trip.mode or "(none: denied or pending)" for trip, _ in _trips(uow, actor, start, end)
                if trip.status != "cancelled")
    rows = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    return Report("trips-by-mode", "Trips by mode", "Trips not cancelled, by the mode decided (least costly mode "
                  "the member's certifications support).", ("mode", "trips"), rows, citation=policy.cite("modes")
                  if policy.has("modes.cite") else "")


def trips_by_county(uow, actor, start, end, policy) -> Report:
    c = Counter(county for trip, county in _trips(uow, actor, start, end) if trip.status != "cancelled")
    rows = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    return Report("trips-by-county", "Trips by county", "Trips not cancelled, by the member's county of residence.",
                  ("county", "trips"), rows)


def on_time(uow, actor, start, end, policy) -> Report:
    window = dt.timedelta(minutes=int(policy.get("operations.pickup_window_minutes")))
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for leg, _trip, log in _legs_with_logs(uow, actor, start, end):
        promised_pickup = _utc(leg.planned_pickup or leg.pickup_earliest)
        if promised_pickup is not None and log.picked_up_at is not None:
            good = log.picked_up_at <= promised_pickup + window
        elif leg.dropoff_latest is not None and log.dropped_off_at is not None:
            good = log.dropped_off_at <= _utc(leg.dropoff_latest)  # to the appointment: there in time
        else:
            continue
        c = per_day[leg.service_date]
        c["measured"] += 1
        c["on_time"] += int(good)
    rows: list[tuple[dt.date | str, int, int, int, float | None]] = []  # a row per day, then "all days"
    for d in sorted(per_day):
        c = per_day[d]
        rows.append((d, c["measured"], c["on_time"], c["measured"] - c["on_time"],
                     round(100.0 * c["on_time"] / c["measured"], 1) if c["measured"] else None))
    total = sum(r[1] for r in rows)
    good_total = sum(r[2] for r in rows)
    if rows:
        rows.append(("all days", total, good_total, total - good_total,
                     round(100.0 * good_total / total, 1) if total else None))
    minutes = int(window.total_seconds() // 60)
    return Report("on-time", "On-time pick-ups",
                  f"A leg is on time when the driver's logged pick-up is no later than {minutes} minutes (the "
                  "program's pick-up window) after the planned pick-up, or the requested one when none was planned; "
                  "a leg to an appointment with no pick-up time is on time when it arrives by the appointment.",
                  ("date", "legs measured", "on time", "late", "on-time %"), rows, chart="bar", value_column=4,
                  unit="%", citation=policy.cite("operations"))


def no_shows(uow, actor, start, end, policy) -> Report:
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for leg, _trip, log in _legs_with_logs(uow, actor, start, end):
        if log.status == NO_SHOW:
            per_day[leg.service_date]["no_show"] += 1
    for trip, _ in _trips(uow, actor, start, end):
        per_day[trip.service_date]["trips"] += 1
        if trip.status == "cancelled":
            per_day[trip.service_date]["cancelled"] += 1
    rows = [(d, c["trips"], c["no_show"], c["cancelled"]) for d, c in sorted(per_day.items())]
    return Report("no-shows", "No-shows and cancellations",
                  "Legs where the driver logged a no-show, and trips cancelled, by date of service.",
                  ("date", "trips", "no-show legs", "cancelled trips"), rows, chart="column", value_column=2)


def ride_time(uow, actor, start, end, policy) -> Report:
    minutes: dict[str, list[float]] = defaultdict(list)
    for _leg, trip, log in _legs_with_logs(uow, actor, start, end):
        if log.picked_up_at and log.dropped_off_at and log.status == "completed":
            minutes[trip.mode or "(unknown)"].append((log.dropped_off_at - log.picked_up_at).total_seconds() / 60)
    rows = [(mode, len(v), round(sum(v) / len(v), 1)) for mode, v in sorted(minutes.items())]
    every = [m for v in minutes.values() for m in v]
    if every:
        rows.append(("all modes", len(every), round(sum(every) / len(every), 1)))
    return Report("ride-time", "Average ride time",
                  f"Minutes from logged pick-up to logged drop-off, by mode (the program's limit is "
                  f"{policy.get('operations.max_ride_minutes')} minutes).",
                  ("mode", "legs", "average minutes"), rows, value_column=2, unit=" min",
                  citation=policy.cite("operations"))


def _claims(uow, actor, start, end):
    in_period = exists().where(and_(ClaimLine.claim_id == Claim.id, ClaimLine.service_date >= start,
                                    ClaimLine.service_date <= end))
    query = select(Claim, TransportProvider).join(TransportProvider, TransportProvider.id == Claim.provider_id) \
        .where(in_period)
    if actor.program:
        query = query.where(Claim.program == actor.program)
    return list(uow.session.execute(query))


def cost(uow, actor, start, end, policy) -> Report:
    per: dict[str, dict] = defaultdict(lambda: {"claims": 0, "legs": set(), "members": set(), "total": Decimal(0)})
    trip_of_leg = {}
    for claim, provider in _claims(uow, actor, start, end):
        if claim.frequency == "8" or claim.status == "void":
            continue
        p = per[provider.organization.name]
        p["claims"] += 1
        p["members"].add(claim.member_id)
        p["total"] += Decimal(claim.total_charge or "0")
        for line in claim.lines:
            if line.leg_id:
                p["legs"].add(line.leg_id)
    leg_ids = {leg for p in per.values() for leg in p["legs"]}
    if leg_ids:
        trip_of_leg = dict(uow.session.execute(select(Leg.id, Leg.trip_id).where(Leg.id.in_(leg_ids))).all())
    rows = []
    all_total, all_trips, all_members, all_claims = Decimal(0), set(), set(), 0
    for name, p in sorted(per.items()):
        trips = {trip_of_leg.get(leg) for leg in p["legs"]} - {None}
        rows.append((name, p["claims"], len(trips), len(p["members"]), f"{p['total']:.2f}",
                     f"{p['total'] / len(trips):.2f}" if trips else "",
                     f"{p['total'] / len(p['members']):.2f}" if p["members"] else ""))
        all_total += p["total"]
        all_trips |= trips
        all_members |= p["members"]
        all_claims += p["claims"]
    if len(rows) > 1:
        rows.append(("all providers", all_claims, len(all_trips), len(all_members), f"{all_total:.2f}",
                     f"{all_total / len(all_trips):.2f}" if all_trips else "",
                     f"{all_total / len(all_members):.2f}" if all_members else ""))
    return Report("cost", "Cost per trip and per member",
                  "Billed charges of the period's claims (voids left out), divided by the trips and the members "
                  "they bill for.", ("provider", "claims", "trips", "members", "total charge", "per trip",
                                     "per member"), rows, value_column=5, unit=" $")


def denials(uow, actor, start, end, policy) -> Report:
    c: Counter = Counter()
    messages: dict[str, str] = {}
    citations: dict[str, str] = {}
    for trip, _ in _trips(uow, actor, start, end):
        if trip.outcome != "denied":
            continue
        for reason in (trip.decision or {}).get("reasons", []):
            if reason.get("kind") == "deny":
                c[reason["code"]] += 1
                citations.setdefault(reason["code"], reason.get("citation", ""))
                messages.setdefault(reason["code"], reason.get("message", ""))
    rows = [(code, n, citations[code]) for code, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Report("denials", "Denials by reason", "Denied ride requests by each denial reason (one request may "
                  "have several reasons).", ("reason", "denials", "rule"), rows)


def credentials(uow, actor, start, end, policy, today: dt.date | None = None) -> Report:
    today = today or clock.today(policy.time_zone)
    found = network.expiring_credentials(uow, actor, today, 90)
    buckets: Counter[str] = Counter()
    rows = []
    for e in found:
        bucket = "30" if e.days_left <= 30 else "60" if e.days_left <= 60 else "90"
        buckets[bucket] += 1
        rows.append((bucket, e.provider, e.subject, e.credential, e.expires_on, e.days_left))
    report = Report("credentials", "Credentials expiring", f"Driver and vehicle credentials expiring within 30, 60 "
                    f"and 90 days of {today.isoformat()} (counted from today: the period does not apply).",
                    ("within days", "provider", "driver or vehicle", "credential", "expires on", "days left"), rows,
                    citation=policy.cite("credentials") if policy.has("credentials") else "")
    report.chart_items = lambda: [(f"within {b} days", float(buckets[b]))  # type: ignore[method-assign]
                                  for b in ("30", "60", "90")]
    return report


def claims_by_status(uow, actor, start, end, policy) -> Report:
    per: dict[str, dict] = defaultdict(lambda: {"n": 0, "charge": Decimal(0), "paid": Decimal(0)})
    for claim, _provider in _claims(uow, actor, start, end):
        p = per[claim.status]
        p["n"] += 1
        p["charge"] += Decimal(claim.total_charge or "0")
        p["paid"] += Decimal(claim.paid_amount or "0")
    rows = [(status, p["n"], f"{p['charge']:.2f}", f"{p['paid']:.2f}") for status, p in sorted(per.items())]
    return Report("claims-by-status", "Claims by status", "Claims with a service line in the period, by status.",
                  ("status", "claims", "total charge", "paid"), rows)


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("trips-by-day", "Trips by day", trips_by_day),
    ReportSpec("trips-by-mode", "Trips by mode", trips_by_mode),
    ReportSpec("trips-by-county", "Trips by county", trips_by_county),
    ReportSpec("on-time", "On-time pick-ups", on_time),
    ReportSpec("no-shows", "No-shows and cancellations", no_shows),
    ReportSpec("ride-time", "Average ride time", ride_time),
    ReportSpec("cost", "Cost per trip and per member", cost),
    ReportSpec("denials", "Denials by reason", denials),
    ReportSpec("credentials", "Credentials expiring", credentials),
    ReportSpec("claims-by-status", "Claims by status", claims_by_status),
)}


def run(uow, actor: Actor, name: str, start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Report:
    """Build report ``name`` for ``start``..``end``; records the read in the audit trail."""
    access.require_role(actor, REPORT_ROLES)
    spec = REPORTS.get(name)
    if spec is None:
        raise NotFound(f"no report named {name!r}; one of {', '.join(REPORTS)}", field="report", rule="reports")
    if end < start:
        raise InvalidInput("the period ends before it starts", field="end", rule="report period")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field="end", rule="report period")
    policy = load_policy(actor.program or "CO")
    if name == "credentials":
        report = spec.build(uow, actor, start, end, policy, today=today)
    else:
        report = spec.build(uow, actor, start, end, policy)
    report.start, report.end = start, end
    audit.record(uow, actor, "read", "report", None, report=name, start=start.isoformat(), end=end.isoformat(),
                 rows=len(report.rows))
    uow.commit()
    return report
