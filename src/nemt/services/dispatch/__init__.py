"""Dispatch: turn a day's approved legs into vehicle runs, assign and reassign, insert urgent legs, print manifests,
and what the dispatch board shows.

The optimizer is ``nemt.scheduling.solve`` over a dial-a-ride instance built from the store (``day``). Every plan is
verified by the independent checker before it is written (``runs``). Each vehicle's day is a ``VehicleRun`` row whose
version is bumped on every write, so two dispatchers acting at once cannot double-book a vehicle: the second write
fails with a conflict and is re-planned.

One module per use case: ``schedule`` (what remains of a day, at any time of day), ``assign`` (one leg by hand),
``urgent`` (real-time insertion), ``choices`` (the vehicles that can take a leg), ``manifests``, ``board``; ``live``
is the live day they share (the state of the day at now, and the checked save every change goes through);
``events`` (cancellations and no-shows repair the runs, will-call returns), ``eta`` (estimated times as the vehicles
drive on from where the trip log last saw them). Scheduling a day in the background is a ``plan-day`` job of
``nemt.jobs``.
"""

from nemt.services.dispatch.assign import assign_leg
from nemt.services.dispatch.board import Board, Lane, LaneSegment, StopPoint, day_board
from nemt.services.dispatch.choices import VehicleChoice
from nemt.services.dispatch.day import OPEN_STATUSES, VEHICLE_MODES, DayModel, build_day, vehicle_drivers
from nemt.services.dispatch.eta import Eta, LiveView, day_stamp, estimated_arrivals, live_view
from nemt.services.dispatch.events import (
    WillCallResult,
    awaits_will_call,
    repair_after_change,
    repair_runs,
    will_call_ready,
)
from nemt.services.dispatch.manifests import Manifest, ManifestStop, manifest
from nemt.services.dispatch.map_data import DayMap, NextStop, VehicleMark, day_map
from nemt.services.dispatch.schedule import ScheduleResult, schedule_day
from nemt.services.dispatch.urgent import insert_urgent

__all__ = [
    "OPEN_STATUSES", "VEHICLE_MODES", "Board", "DayModel", "Lane", "LaneSegment", "Manifest", "ManifestStop",
    "ScheduleResult", "StopPoint", "assign_leg", "build_day", "day_board", "insert_urgent", "manifest",
    "VehicleChoice", "schedule_day", "vehicle_drivers",
    "Eta", "LiveView", "WillCallResult", "awaits_will_call", "day_stamp", "estimated_arrivals", "live_view",
    "repair_after_change", "repair_runs", "will_call_ready",
    "DayMap", "NextStop", "VehicleMark", "day_map",
]
