"""The vehicles the board offers for each leg: only those whose live run can take it (the solver's exact feasibility
test: windows, ride time, capacity by space type, shift, route duration, credentials and mode), best first, with the
driving minutes and miles the leg would add to the run."""

from __future__ import annotations

from dataclasses import dataclass

from nemt.domain.decisions.words import mode_words
from nemt.services.dispatch.live import LiveDay


@dataclass(frozen=True)
class VehicleChoice:
    """A vehicle that can take a leg: its key and label, the minutes and miles the leg adds to its run, and whether
    the leg is on it now."""

    vehicle_key: str
    label: str
    added_minutes: int
    added_miles: float
    current: bool

    @property
    def text(self) -> str:
        if self.current:
            return f"{self.label} (now)"
        return f"{self.label} · +{self.added_minutes} min, +{self.added_miles:.1f} mi"


def choices_of(live: LiveDay) -> dict[str, list[VehicleChoice]]:
    """The vehicles that can take each leg of a live day, best first."""
    from nemt.scheduling.live import LiveRoutes

    if not live.model.legs:
        return {}
    routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
    vehicles = live.model.vehicles
    labels = [f"{v.external_id} · {mode_words(v.vehicle_type)}" for v in vehicles]
    out: dict[str, list[VehicleChoice]] = {}
    for r, leg in enumerate(live.model.legs):
        home = routes.vehicle_of(r)
        out[leg.key] = [VehicleChoice(vehicles[o.vehicle].key, labels[o.vehicle], round(o.added), round(o.miles, 1),
                                      o.vehicle == home) for o in routes.options(r)]
    return out
