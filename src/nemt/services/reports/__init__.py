"""Program reports for auditors, administrators and dispatchers: each a table, a chart choice and a CSV export.

Every report is scoped to the actor's program, covers the service dates ``start``..``end`` (inclusive, in the
program's zone: ``Trip.service_date`` is already a local date) and carries counts and sums only — never a member's
name, ID or birth date. Reading a report writes an audit record. The queries are ``uow.reports``'s.

Reports (``REPORTS``): trips by day, by mode and by county (the member's county); on-time pick-ups (the trip log's
pick-up against the planned pick-up, or the requested one when none was planned, within the program's
``operations.pickup_window_minutes``: ``nemt.domain.punctuality.on_time``); no-shows and cancellations; average ride
time (pick-up to drop-off); cost per trip and per member (claims' total charges); denials by reason; credentials
expiring within 30/60/90 days; claims by status.
"""

from nemt.services.reports.catalogue import MAX_DAYS, REPORTS, run
from nemt.services.reports.credentials import bucket_counts, credentials
from nemt.services.reports.legs import NO_SHOW, no_shows, on_time, ride_time
from nemt.services.reports.money import claims_by_status, cost
from nemt.services.reports.report import Report, ReportSpec
from nemt.services.reports.trips import denials, trips_by_county, trips_by_day, trips_by_mode

__all__ = [
    "MAX_DAYS", "NO_SHOW", "REPORTS", "Report", "ReportSpec", "bucket_counts", "claims_by_status", "cost",
    "credentials", "denials", "no_shows", "on_time", "ride_time", "run", "trips_by_county", "trips_by_day",
    "trips_by_mode",
]
