"""Charts as server-rendered SVG, written in Python: no script, no assets from the internet.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen readers; the page puts the same
numbers in a table beside it, so nothing is only in the picture. Colours meet WCAG contrast against white.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
PALETTE = ("#0b5394", "#a64d00", "#38761d", "#741b47", "#45818e", "#7f6000")
KIND_COLOURS = {"scheduled": "#0b5394", "late": "#a40000", "done": "#38761d", "no-show": "#7f6000",
                "unassigned": "#5b5b5b", "pickup": "#0b5394", "dropoff": "#a64d00", "base": "#38761d"}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-t{n} chart-d{n}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def bar_chart(items: list[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per label (modes, counties, reasons, statuses)."""
    items = [(str(label), float(value or 0)) for label, value in items]
    if not items:
        return Markup(f'<p class="muted">No data for “{escape(title)}” in this period.</p>')
    label_w, bar_w, row_h = 230, 360, 26
    width, height = label_w + bar_w + 90, row_h * len(items) + 12
    top = max(v for _, v in items) or 1.0
    body = []
    for i, (label, value) in enumerate(items):
        y = 6 + i * row_h
        w = max(1.0, bar_w * value / top) if value else 0
        short = label if len(label) <= 32 else label[:31] + "…"
        body.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="lbl">{escape(short)}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{PALETTE[0]}"><title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>'
                    f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="val">{_fmt(value)}{escape(unit)}</text>')
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in items[:20])
    return _svg(width, height, title, desc, body)


def column_chart(items: list[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """Vertical columns over time (trips by day): label every few columns so the axis stays readable."""
    items = [(str(label), float(value or 0)) for label, value in items]
    if not items:
        return Markup(f'<p class="muted">No data for “{escape(title)}” in this period.</p>')
    left, bottom, plot_h = 44, 46, 180
    col = max(8, min(40, 640 // len(items)))
    width, height = left + col * len(items) + 16, plot_h + bottom + 12
    top = max(v for _, v in items) or 1.0
    step = max(1, math.ceil(len(items) / 12))
    body = [f'<line x1="{left}" y1="{plot_h + 6}" x2="{width - 8}" y2="{plot_h + 6}" stroke="#444"/>',
            f'<text x="{left - 6}" y="14" text-anchor="end" class="val">{_fmt(top)}</text>',
            f'<text x="{left - 6}" y="{plot_h + 6}" text-anchor="end" class="val">0</text>']
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * col
        body.append(f'<rect x="{x + 1}" y="{plot_h + 6 - h:.1f}" width="{col - 2}" height="{h:.1f}" '
                    f'fill="{PALETTE[0]}"><title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>')
        if i % step == 0:
            body.append(f'<text x="{x + col / 2:.1f}" y="{plot_h + 22}" text-anchor="middle" class="lbl small">'
                        f'{escape(label[5:] if len(label) == 10 else label)}</text>')
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in items[:40])
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class Segment:
    """A bar on a timeline: minutes after midnight (local), a short label and a kind (colour)."""

    start: float
    end: float
    label: str
    kind: str = "scheduled"


def timeline(rows: list[tuple[str, list[Segment]]], title: str, first_hour: int = 5, last_hour: int = 21,
             now_minute: float | None = None) -> Markup:
    """One lane per vehicle, hours across; each leg a bar from planned pick-up to planned drop-off."""
    if not rows:
        return Markup(f'<p class="muted">No runs for “{escape(title)}”.</p>')
    segments = [s for _, segs in rows for s in segs]
    if segments:
        first_hour = min(first_hour, int(min(s.start for s in segments) // 60))
        last_hour = max(last_hour, int(math.ceil(max(s.end for s in segments) / 60)))
    label_w, lane_h, hour_w = 150, 34, 52
    hours = last_hour - first_hour
    width, height = label_w + hours * hour_w + 20, 28 + lane_h * len(rows) + 8

    def x_of(minute: float) -> float:
        return label_w + (minute - first_hour * 60) * hour_w / 60

    body = []
    for h in range(first_hour, last_hour + 1):
        x = x_of(h * 60)
        body.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 6}" stroke="#ccc"/>'
                    f'<text x="{x:.1f}" y="14" text-anchor="middle" class="lbl small">{h:02d}:00</text>')
    for i, (label, segs) in enumerate(rows):
        y = 26 + i * lane_h
        body.append(f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end" class="lbl">{escape(label)}</text>'
                    f'<line x1="{label_w}" y1="{y + lane_h - 2}" x2="{width - 20}" y2="{y + lane_h - 2}" '
                    f'stroke="#eee"/>')
        for s in segs:
            x0, x1 = x_of(s.start), x_of(max(s.end, s.start + 6))
            colour = KIND_COLOURS.get(s.kind, PALETTE[0])
            body.append(f'<rect x="{x0:.1f}" y="{y + 5}" width="{x1 - x0:.1f}" height="{lane_h - 12}" rx="3" '
                        f'fill="{colour}"><title>{escape(s.label)}</title></rect>')
            short = s.label.split(" ")[0]
            if x1 - x0 > 8 + 6 * len(short):
                body.append(f'<text x="{x0 + 4:.1f}" y="{y + 21}" class="bar-text">{escape(short)}</text>')
    if now_minute is not None and first_hour * 60 <= now_minute <= last_hour * 60:
        x = x_of(now_minute)
        body.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height - 4}" stroke="#a40000" '
                    f'stroke-width="2" stroke-dasharray="4 3"><title>now</title></line>')
    desc = "; ".join(f"{label}: " + ", ".join(s.label for s in segs) if segs else f"{label}: no legs"
                     for label, segs in rows)
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    label: str
    kind: str = "pickup"


def scatter_map(points: list[MapPoint], title: str, width: int = 640, max_height: int = 460) -> Markup:
    """Stops by latitude and longitude (equirectangular, scaled by cos(latitude)); no map tiles. Each stop is
    labelled with the first word of its label (the trip and leg); the full label is its tooltip."""
    if not points:
        return Markup(f'<p class="muted">No stops to show for “{escape(title)}”.</p>')
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    pad = max(0.02, 0.08 * max(max(lats) - min(lats), max(lons) - min(lons)))
    lat0, lat1 = min(lats) - pad, max(lats) + pad
    lon0, lon1 = min(lons) - pad, max(lons) + pad
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = (lon1 - lon0) * k, lat1 - lat0
    scale = min((width - 40) / span_x, (max_height - 70) / span_y)
    height = int(span_y * scale) + 70

    def xy(p: MapPoint) -> tuple[float, float]:
        return 20 + (p.lon - lon0) * k * scale, 20 + (lat1 - p.lat) * scale

    def mark(x: float, y: float, kind: str, tip: str = "") -> str:
        colour = KIND_COLOURS.get(kind, PALETTE[3])
        tip = f"<title>{escape(tip)}</title>" if tip else ""
        if kind == "dropoff":
            return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}">{tip}</rect>'
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}" stroke="#fff">{tip}</circle>'

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa" stroke="#bbb"/>']
    seen: dict[str, int] = {}
    # Stops at the same place and of the same kind share one mark; its tooltip lists them all.
    groups: dict[tuple[int, int, str], list[MapPoint]] = {}
    for p in points:
        x, y = xy(p)
        groups.setdefault((round(x), round(y), p.kind), []).append(p)
        seen[p.kind] = seen.get(p.kind, 0) + 1
    label_each = len(groups) <= 12
    for (x, y, kind), members in groups.items():
        body.append(mark(x, y, kind, "; ".join(m.label for m in members)))
        if label_each:
            text = members[0].label.split(" ")[0] + (f" +{len(members) - 1}" if len(members) > 1 else "")
        else:
            text = str(len(members)) if len(members) > 1 else ""
        if text:
            body.append(f'<text x="{x + 9}" y="{y + 4}" class="lbl small">{escape(text)}</text>')
    ly, lx = height - 16, 20
    for kind, n in seen.items():
        body.append(mark(lx, ly - 4, kind) + f'<text x="{lx + 10}" y="{ly}" class="lbl small">{escape(kind)} ({n})'
                                               f'</text>')
        lx += 120
    body.append(f'<text x="{width - 10}" y="{height - 10}" text-anchor="end" class="lbl small">N ↑ · '
                f'{lat0:.2f}…{lat1:.2f}°N, {-lon1:.2f}…{-lon0:.2f}°W</text>')
    desc = f"{len(points)} stops: " + ", ".join(f"{k} {n}" for k, n in seen.items())
    return _svg(width, height, title, desc, body)
