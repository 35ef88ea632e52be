"""The live day's own records: a will-call return. (Scheduling the day in the background is a job of ``nemt.jobs``,
recorded in ``store/job_models.Job``.)

``WillCall`` is a return leg whose member called when ready: the call's time and the pick-up the program promised
(policy ``operations.will_call_pickup_minutes``). The scheduler reads it for that leg's pick-up window.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base


class WillCall(Base):
    __tablename__ = "will_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id", ondelete="CASCADE"), unique=True)
    called_at: Mapped[dt.datetime] = mapped_column()
    promised_by: Mapped[dt.datetime] = mapped_column()
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
