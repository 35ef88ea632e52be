"""Complaints and grievances (issue 16, point 5): intake (an agent, for the call center or on the member's behalf; a
facility; a transportation provider; the Department), investigation notes, resolution with a finding and a notice
to the member, the due day from the program's policy, and the complaints report (per 1,000 trips, by provider and
category). Who sees which complaints: ``nemt.store.visibility.complaints``. See docs/complaints.md."""

from nemt.services.complaints.commands import ComplaintIn, NoteIn, ResolutionIn
from nemt.services.complaints.intake import record_complaint
from nemt.services.complaints.investigation import add_note, resolve, start_investigation, visible_complaint
from nemt.services.complaints.queries import ComplaintView, describe, get_complaint, list_complaints, view
from nemt.services.complaints.report import chart_items, complaints_report

__all__ = [
    "ComplaintIn", "ComplaintView", "NoteIn", "ResolutionIn", "add_note", "chart_items", "complaints_report",
    "describe", "get_complaint", "list_complaints", "record_complaint", "resolve", "start_investigation", "view",
    "visible_complaint",
]
