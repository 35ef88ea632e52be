"""A vehicle's manifest as a printable PDF (reportlab): the driver's ordered stops with times and needs."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from nemt.services.dispatch import Manifest


def manifest_pdf(m: Manifest) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, title=f"Manifest {m.vehicle} {m.day.isoformat()}",
                            leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36)
    styles = getSampleStyleSheet()
    story = [
        Paragraph(f"Manifest — vehicle {m.vehicle} ({m.vehicle_type})", styles["Title"]),
        Paragraph(f"{m.provider} · driver {m.driver} · {m.day.strftime('%A %d %B %Y')} · times in {m.time_zone}",
                  styles["Normal"]),
        Spacer(1, 12),
    ]
    rows = [["Time", "Stop", "Member", "Address", "Mobility", "Escorts", "Passengers", "Status"]]
    for s in m.stops:
        rows.append([s.at.strftime("%H:%M") if s.at else "—", s.kind, s.member_name,
                     Paragraph(s.address, styles["BodyText"]), s.mobility, str(s.escorts), str(s.passengers),
                     s.status])
    if len(rows) == 1:
        rows.append(["", "no stops", "", "", "", "", "", ""])
    table = Table(rows, repeatRows=1, colWidths=[40, 48, 100, 170, 58, 42, 58, 56])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b3d6b")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
