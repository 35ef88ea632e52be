"""The closest qualified medical provider (the 25-mile rule): enrolled providers of a service ranked by road miles."""

from __future__ import annotations

from dataclasses import dataclass

from nemt.store.models import MedicalProvider


@dataclass(frozen=True)
class RankedProvider:
    provider: MedicalProvider
    miles: float
    minutes: float
    engine: str


def closest_medical_providers(uow, program: str, origin_zip: str, service: str, *, k: int | None = None,
                              within_miles: float | None = None, engine=None) -> list[RankedProvider]:
    """Enrolled medical providers offering ``service``, nearest first by road miles from ``origin_zip``.

    "NEMT must be used to access the closest qualified Health First Colorado provider willing and able to treat the
    member" (Benefit Overview); "The closest provider is defined as a provider within a 25-mile radius of the
    member's residence or the nearest provider if one is not practicing within a 25-mile radius" (25 Mile or
    Longer Trips). Raises GeoError (field ``zip``) for an unknown origin ZIP."""
    from nemt import geo

    origin = geo.lookup_zip(origin_zip, "zip").point
    candidates, points = [], []
    for mp in uow.network.enrolled_medical_providers(program):
        if service not in (mp.services or []):
            continue
        try:
            points.append(geo.lookup_zip(mp.zip, "zip").point)
        except geo.GeoError:  # a directory row whose ZIP is no longer known cannot be ranked
            continue
        candidates.append(mp)
    if not candidates:
        return []
    ranked = geo.closest(origin, points, engine, k=k, max_miles=within_miles)
    return [RankedProvider(candidates[r.index], r.route.miles, r.route.minutes, r.route.engine) for r in ranked]
