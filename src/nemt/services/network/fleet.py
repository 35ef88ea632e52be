"""A provider's drivers and vehicles with their credentials: files loaded by the broker or by the provider's own
administrator (their organization's rows only)."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor
from nemt.domain.network import PERMIT_TYPES, VEHICLE_TYPES
from nemt.policy import Policy, load_policy
from nemt.services.network.rows import FleetRow, check_provider_rows, npi
from nemt.services.platform.csv_files import RowReader, check_zip, parse_all
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Driver, TransportProvider, Vehicle

# --- drivers -------------------------------------------------------------------------------------------------------

DRIVER_COLUMNS = ("provider_npi", "driver_id", "name", "licence_number", "licence_expires",
                  "background_check_expires", "training_expires")


class _DriverRow(FleetRow):
    driver_id: str
    name: str
    licence_number: str
    licence_expires: dt.date | None
    background_check_expires: dt.date | None
    training_expires: dt.date | None
    active: bool | None


def _driver_row(rr: RowReader) -> _DriverRow:
    return _DriverRow(provider_npi=npi(rr, "provider_npi"), driver_id=rr.text("driver_id", required=True),
                      name=rr.text("name", required=True),
                      licence_number=rr.text("licence_number", required=True),
                      licence_expires=rr.date("licence_expires"),
                      background_check_expires=rr.date("background_check_expires"),
                      training_expires=rr.date("training_expires"), active=rr.boolean("active", default=True))


def _driver(uow, provider: TransportProvider, f: _DriverRow) -> Driver:
    """The provider's driver with this ID, created (with its id) when new."""
    driver = uow.network.driver(provider.id, f["driver_id"])
    if driver is None:
        driver = uow.network.add_driver(Driver(provider_id=provider.id, external_id=f["driver_id"], name=f["name"]))
    return driver


def import_drivers(uow, actor: Actor, filename: str, content: bytes) -> int:
    require(actor, Action.NETWORK_ADMIN)
    rows = parse_all(filename, content, DRIVER_COLUMNS, _driver_row)
    providers = check_provider_rows(uow, actor, filename, rows)
    for _line, f in rows:
        driver = _driver(uow, providers[f["provider_npi"]], f)
        driver.name, driver.active = f["name"], bool(f["active"])
        uow.network.set_credential("driver", driver.id, "licence", f["licence_expires"], number=f["licence_number"])
        uow.network.set_credential("driver", driver.id, "background_check", f["background_check_expires"])
        uow.network.set_credential("driver", driver.id, "training", f["training_expires"])
    uow.commit()
    return len(rows)


# --- vehicles ------------------------------------------------------------------------------------------------------

VEHICLE_COLUMNS = ("provider_npi", "vehicle_id", "vehicle_type", "seats", "wheelchair_positions",
                   "stretcher_positions", "permit_type", "permit_expires", "inspection_expires", "insurance_expires")
_VEHICLE_FIELDS = ("vehicle_type", "seats", "wheelchair_positions", "stretcher_positions", "base_zip", "active")


class _VehicleRow(FleetRow):
    vehicle_id: str
    vehicle_type: str
    seats: int
    wheelchair_positions: int
    stretcher_positions: int
    permit_type: str
    permit_expires: dt.date | None
    inspection_expires: dt.date | None
    insurance_expires: dt.date | None
    base_zip: str
    active: bool | None


def _check_capacity(rr: RowReader, f: _VehicleRow) -> None:
    """A vehicle carries someone, and a wheelchair van or a stretcher vehicle has the positions its type says."""
    if f["seats"] + f["wheelchair_positions"] + f["stretcher_positions"] == 0:
        rr.bad("seats", "a vehicle has at least one seat, wheelchair or stretcher position")
    if f["vehicle_type"] == "wheelchair-van" and f["wheelchair_positions"] == 0:
        rr.bad("wheelchair_positions", "a wheelchair van has at least one wheelchair position")
    if f["vehicle_type"] in ("stretcher-van", "ambulance") and f["stretcher_positions"] == 0:
        rr.bad("stretcher_positions", f"a {f['vehicle_type']} has at least one stretcher position")


def _vehicle_row(rr: RowReader, policy: Policy) -> _VehicleRow:
    f = _VehicleRow(provider_npi=npi(rr, "provider_npi"), vehicle_id=rr.text("vehicle_id", required=True),
                    vehicle_type=rr.choice("vehicle_type", VEHICLE_TYPES), seats=rr.integer("seats"),
                    wheelchair_positions=rr.integer("wheelchair_positions"),
                    stretcher_positions=rr.integer("stretcher_positions"),
                    permit_type=rr.choice("permit_type", PERMIT_TYPES, required=False),
                    permit_expires=rr.date("permit_expires", required=False),
                    inspection_expires=rr.date("inspection_expires"),
                    insurance_expires=rr.date("insurance_expires"),
                    base_zip=rr.text("base_zip"), active=rr.boolean("active", default=True))
    _check_capacity(rr, f)
    if f["base_zip"]:
        check_zip(rr, "base_zip", f["base_zip"], policy.state)
    return f


def _vehicle(uow, provider: TransportProvider, f: _VehicleRow) -> Vehicle:
    """The provider's vehicle with this ID, created (with its id) when new."""
    vehicle = uow.network.vehicle(provider.id, f["vehicle_id"])
    if vehicle is None:
        vehicle = uow.network.add_vehicle(Vehicle(provider_id=provider.id, external_id=f["vehicle_id"],
                                                  vehicle_type=f["vehicle_type"]))
    return vehicle


def import_vehicles(uow, actor: Actor, filename: str, content: bytes, program: str = "CO") -> int:
    require(actor, Action.NETWORK_ADMIN)
    policy = load_policy(program)
    rows = parse_all(filename, content, VEHICLE_COLUMNS, lambda rr: _vehicle_row(rr, policy))
    providers = check_provider_rows(uow, actor, filename, rows)
    for _line, f in rows:
        vehicle = _vehicle(uow, providers[f["provider_npi"]], f)
        for name in _VEHICLE_FIELDS:
            setattr(vehicle, name, f[name])  # type: ignore[literal-required]
        uow.network.set_credential("vehicle", vehicle.id, "inspection", f["inspection_expires"])
        uow.network.set_credential("vehicle", vehicle.id, "insurance", f["insurance_expires"])
        if f["permit_type"]:
            uow.network.set_credential("vehicle", vehicle.id, "permit", f["permit_expires"],
                                       detail=f["permit_type"])
    uow.commit()
    return len(rows)
