"""The dispatch board's map as server-rendered SVG: the program's county outlines (``nemt.geo.outlines``: Census
cartographic boundaries carried by the package, nothing fetched), the day's stops, each vehicle's last position and
its next stop, labelled. One projection for all of them (``nemt.geo.outlines.Projection``).

Like the charts (``nemt.web.charts``), the SVG has a ``<title>`` and ``<desc>``, and the page lists the same vehicles
in a table beside it, so nothing is only in the picture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from markupsafe import Markup, escape

from nemt.geo.outlines import Projection, county_outlines, fit, label_point, ring_path
from nemt.services.dispatch.map_data import DayMap, VehicleMark
from nemt.web.charts import KIND_COLOURS, PALETTE, _svg

VEHICLE_COLOUR = "#741b47"


def _stop_mark(x: float, y: float, kind: str, tip: str = "") -> str:
    colour = KIND_COLOURS.get(kind, PALETTE[3])
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if kind == "dropoff":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{title}</rect>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="#fff">{title}</circle>'


def _counties(state: str, projection: Projection) -> list[str]:
    """The outlines of the counties the map's box touches, and the names of those whose middle is inside it."""
    body = []
    for county in county_outlines(state):
        if not projection.overlaps(county.bounds()):
            continue
        path = "".join(ring_path(r, projection) for r in county.rings)
        body.append(f'<path d="{path}" fill="#fff" stroke="#8a96a3" stroke-width="1" fill-rule="evenodd">'
                    f'<title>{escape(county.name)} County</title></path>')
        lat, lon = label_point(county)
        if projection.contains(lat, lon):
            x, y = projection.xy(lat, lon)
            body.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" class="lbl small county" '
                        f'fill="#5b6670">{escape(county.name)}</text>')
    return body


def _stops(day_map: DayMap, projection: Projection) -> list[str]:
    """Stops at the same place and of the same kind share one mark; its tooltip lists them all."""
    groups: dict[tuple[int, int, str], list[str]] = {}
    for p in day_map.stops:
        x, y = projection.xy(p.lat, p.lon)
        groups.setdefault((round(x), round(y), p.kind), []).append(p.label)
    return [_stop_mark(x, y, kind, "; ".join(labels)) for (x, y, kind), labels in groups.items()]


def _vehicle(v: VehicleMark, projection: Projection, hhmm: Callable[[dt.datetime | None], str]) -> list[str]:
    """A vehicle: a labelled diamond where it was last seen, a dashed line to its next stop, the stop ringed."""
    x, y = projection.xy(v.lat, v.lon)
    seen = f"{v.vehicle} ({v.vehicle_type}), last seen {hhmm(v.seen_at)} ({v.source})"
    body = []
    if v.next_stop is not None:
        nx, ny = projection.xy(v.next_stop.lat, v.next_stop.lon)
        eta = f", ETA {hhmm(v.next_stop.eta)}" if v.next_stop.eta else ""
        body.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{nx:.1f}" y2="{ny:.1f}" stroke="{VEHICLE_COLOUR}" '
                    f'stroke-width="1.5" stroke-dasharray="5 3"/>'
                    f'<circle cx="{nx:.1f}" cy="{ny:.1f}" r="9" fill="none" stroke="{VEHICLE_COLOUR}" '
                    f'stroke-width="2"><title>{escape(v.vehicle)} next: {escape(v.next_stop.label)}{escape(eta)}'
                    f'</title></circle>'
                    f'<text x="{nx + 11:.1f}" y="{ny + 14:.1f}" class="lbl small">{escape(v.next_stop.label)}'
                    f'{escape(eta)}</text>')
        seen += f"; next {v.next_stop.label}{eta}"
    body.append(f'<path d="M{x:.1f} {y - 8:.1f}L{x + 8:.1f} {y:.1f}L{x:.1f} {y + 8:.1f}L{x - 8:.1f} {y:.1f}Z" '
                f'fill="{VEHICLE_COLOUR}" stroke="#fff" class="vehicle" data-vehicle="{escape(v.vehicle)}">'
                f'<title>{escape(seen)}</title></path>'
                f'<text x="{x + 10:.1f}" y="{y - 6:.1f}" class="lbl" font-weight="bold">{escape(v.vehicle)}</text>')
    return body


def live_map(day_map: DayMap, title: str, hhmm: Callable[[dt.datetime | None], str], *, width: int = 640) -> Markup:
    """The board's map: county outlines, stops, vehicles and their next stops (``hhmm``: a time in the program's
    zone, as the page shows times)."""
    points = [(p.lat, p.lon) for p in day_map.stops] + [(v.lat, v.lon) for v in day_map.vehicles]
    points += [(v.next_stop.lat, v.next_stop.lon) for v in day_map.vehicles if v.next_stop]
    if not points:
        return Markup(f'<p class="muted">No stops or vehicles to show for “{escape(title)}”.</p>')
    projection = fit(points, width=width)
    height = projection.height + 24
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef1f4" stroke="#bbb"/>']
    body += _counties(day_map.state, projection)
    body += _stops(day_map, projection)
    for v in day_map.vehicles:
        body += _vehicle(v, projection, hhmm)
    ly, lx = height - 12, 20
    body.append(f'<rect x="0" y="{height - 26}" width="{width}" height="26" fill="#fff" fill-opacity="0.9" '
                f'stroke="#bbb"/>')  # the legend's band, over any outline reaching the bottom
    for kind, label in (("pickup", "pick-up"), ("dropoff", "drop-off"), ("unassigned", "not assigned")):
        body.append(_stop_mark(lx, ly - 4, kind) + f'<text x="{lx + 9}" y="{ly}" class="lbl small">{label}</text>')
        lx += 110
    body.append(f'<path d="M{lx:.1f} {ly - 11:.1f}l7 7l-7 7l-7 -7Z" fill="{VEHICLE_COLOUR}"/>'
                f'<text x="{lx + 10}" y="{ly}" class="lbl small">vehicle → next stop</text>'
                f'<text x="{width - 8}" y="{ly}" text-anchor="end" class="lbl small">N ↑ · counties: US Census</text>')
    desc = (f"{len(day_map.stops)} stops and {len(day_map.vehicles)} vehicles on the counties of "
            f"{day_map.state}: " + "; ".join(f"{v.vehicle} at {hhmm(v.seen_at)}"
                                               + (f", next {v.next_stop.label}" if v.next_stop else "")
                                               for v in day_map.vehicles[:20]))
    return _svg(width, height, title, desc, body)
