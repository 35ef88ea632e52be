"""Verified trips: the evidence recorded with a trip-log event (the phone's position, the odometer) and the trip's
attestation on the driver's screen (a drawn signature, or the member's trip PIN).

Health First Colorado NEMT Billing Manual — 25 Mile or Longer Trips (the attachment) and Standard Forms Required ask
for "confirmation by the member, escort or medical facility that the trip occurred"; GAO-22-105447 names GPS data
and trip logs as the controls that catch phantom trips. The evidence is append-only
(:mod:`nemt.store.evidence_models`) and never blocks the log: a refused or unavailable position is recorded as
such. It is member data: never in a URL, never in a log line (the audit trail records who read it).

**Where a member's PIN comes from.** The call center (agent) or an administrator issues it
(:func:`issue_pin`, ``POST /api/v1/members/{member_key}/trip-pin``) and tells it to the member once, by phone or
letter; only its salted argon2id hash is stored (``auth.hash_secret``), and a new PIN replaces the old one. The
driver never sees it: the member types it on the driver's phone. Wrong tries are stored too (evidence), and after
the program's ``plausibility.pin_attempts`` wrong tries on a leg the PIN is refused there (sign instead).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nemt.billing.trip_log import TRIP_CONFIRMERS
from nemt.domain.actors import Actor
from nemt.domain.trip_log import TripLogError, parse_at, utc
from nemt.policy import Policy
from nemt.services.platform import audit, auth, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.evidence_models import MemberTripPin, TripAttestation, TripEventEvidence
from nemt.store.models import Leg, TripLogEvent

POSITION_STATUSES = ("recorded", "refused", "unavailable")
ATTESTED_KINDS = ("picked-up", "dropped-off")
EVIDENCE_KINDS = ("arrived", "picked-up", "dropped-off")
_PNG = b"\x89PNG\r\n\x1a\n"
_SCHEMA = "trip evidence schema"
_PIN_RULE = "the member's trip PIN confirms the trip"


@dataclass(frozen=True)
class EventEvidence:
    """The validated evidence of one event: position status, position (or None), fix time, odometer."""

    position_status: str
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    position_at: dt.datetime | None = None
    odometer: float | None = None


@dataclass(frozen=True)
class Attestation:
    """The validated attestation of a trip: who, and a signature image or a PIN (never stored)."""

    by: str
    signature_png: bytes | None = None
    pin: str | None = None


# ----------------------------------------------------------------------------------------------------------------
# Parsing what the phone sends
# ----------------------------------------------------------------------------------------------------------------
def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput("must be a number", field=where, rule=_SCHEMA)
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput("must be a number", field=where, rule=_SCHEMA) from None
    if not low <= number <= high:  # also refuses NaN
        raise InvalidInput(f"must be between {low:g} and {high:g}", field=where, rule=_SCHEMA)
    return number


def parse_evidence(value: Mapping[str, Any] | None) -> EventEvidence | None:
    """``{"position_status": "recorded"|"refused"|"unavailable", "latitude", "longitude", "accuracy_m",
    "position_at", "odometer"}`` (every key optional; a position makes the status ``recorded``). None: nothing
    sent."""
    if not value:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput("evidence is an object", field="evidence", rule=_SCHEMA)
    unknown = set(value) - {"position_status", "latitude", "longitude", "accuracy_m", "position_at", "odometer"}
    if unknown:
        raise InvalidInput("evidence has position_status, latitude, longitude, accuracy_m, position_at and odometer "
                           "only", field="evidence", rule=_SCHEMA)
    odometer = None if value.get("odometer") in (None, "") else _number(value["odometer"], "evidence.odometer", 0,
                                                                       9_999_999)
    has_position = value.get("latitude") not in (None, "") or value.get("longitude") not in (None, "")
    status = value.get("position_status") or ("recorded" if has_position else "unavailable")
    if status not in POSITION_STATUSES:
        raise InvalidInput(f"must be one of {', '.join(POSITION_STATUSES)}", field="evidence.position_status",
                           rule=_SCHEMA)
    if status != "recorded":
        return EventEvidence(status, odometer=odometer)
    latitude = _number(value.get("latitude"), "evidence.latitude", -90, 90)
    longitude = _number(value.get("longitude"), "evidence.longitude", -180, 180)
    accuracy = (None if value.get("accuracy_m") in (None, "")
                else _number(value["accuracy_m"], "evidence.accuracy_m", 0, 1_000_000))
    fix = None
    if value.get("position_at") not in (None, ""):
        try:
            fix = parse_at(value["position_at"], "evidence.position_at")
        except TripLogError as exc:
            raise InvalidInput(exc.message, field=exc.field, rule=_SCHEMA) from None
    return EventEvidence("recorded", latitude, longitude, accuracy, fix, odometer)


def _signature(value: Any, policy: Policy) -> bytes:
    text = value if isinstance(value, str) else ""
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if header != "data:image/png;base64":
            raise InvalidInput("the signature must be a PNG image", field="attestation.signature_png", rule=_SCHEMA)
    try:
        image = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the signature must be a base64 PNG image", field="attestation.signature_png",
                           rule=_SCHEMA) from None
    if not image.startswith(_PNG):
        raise InvalidInput("the signature must be a PNG image", field="attestation.signature_png", rule=_SCHEMA)
    limit = int(policy.get("plausibility.signature_max_kb")) * 1024
    if len(image) > limit:
        raise InvalidInput(f"the signature image is larger than {limit // 1024} KB",
                           field="attestation.signature_png", rule=_SCHEMA)
    return image


def parse_attestation(value: Mapping[str, Any] | None, policy: Policy) -> Attestation | None:
    """``{"by": "member"|"escort"|"medical-facility", "signature_png": base64 (or a data: URL) | "pin": digits}``.
    None: no attestation sent."""
    if not value:
        return None
    if not isinstance(value, Mapping) or set(value) - {"by", "signature_png", "pin"}:
        raise InvalidInput("an attestation is {by, signature_png} or {by, pin}", field="attestation", rule=_SCHEMA)
    by = value.get("by") or "member"
    if by not in TRIP_CONFIRMERS:
        raise InvalidInput(f"must be one of {', '.join(TRIP_CONFIRMERS)}", field="attestation.by", rule=_SCHEMA)
    signature, pin = value.get("signature_png"), value.get("pin")
    if bool(signature) == bool(pin):
        raise InvalidInput("attest with a drawn signature or the member's PIN (one of them)", field="attestation",
                           rule=_SCHEMA)
    if pin:
        if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
            raise InvalidInput("the PIN is 4 to 8 digits", field="attestation.pin", rule=_PIN_RULE)
        return Attestation(by, pin=pin)
    return Attestation(by, signature_png=_signature(signature, policy))


# ----------------------------------------------------------------------------------------------------------------
# Members' trip PINs
# ----------------------------------------------------------------------------------------------------------------
def _pin_matches(stored: str, pin: str) -> bool:
    """``auth.secret_matches``, and for a PIN issued before PINs were hashed with argon2id (``scrypt$<salt>$<hash>``,
    n=2**14, r=8, p=1), the scrypt check it was stored with: an issued PIN keeps working until a new one replaces it."""
    if not stored.startswith("scrypt$"):
        return auth.secret_matches(stored, pin)
    try:
        _, salt, digest = stored.split("$")
        again = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1, dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(again.hex(), digest)


def issue_pin(uow: Any, actor: Actor, member_key: str) -> str:
    """Issue a new 6-digit trip PIN for a member the actor may see; returns it (shown once, to tell the member).
    Only its hash is stored; the member's earlier PIN stops working."""
    permissions.require(actor, Action.TRIP_PIN_ISSUE)
    member = uow.members.visible(actor, member_key)
    if member is None:
        raise NotFound("no such member", field="member", rule="members are addressed by their key")
    pin = f"{secrets.randbelow(10**6):06d}"
    uow.evidence.add(MemberTripPin(member_id=member.id, pin_hash=auth.hash_secret(pin), issued_by=actor.user_id))
    audit.record(uow, actor, "create", "trip-pin", member.id)
    uow.commit()
    return pin


def check_pin(uow: Any, actor: Actor, leg: Leg, attestation: Attestation, policy: Policy) -> None:
    """A PIN attestation must match the member's current PIN. A wrong try is stored (and committed) before the
    refusal; after ``plausibility.pin_attempts`` wrong tries on the leg the PIN is refused there."""
    if attestation.pin is None:
        return
    if uow.evidence.failed_pin_tries(leg.id) >= int(policy.get("plausibility.pin_attempts")):
        raise InvalidInput("too many wrong PINs for this leg: the member signs instead", field="attestation.pin",
                           rule=_PIN_RULE)
    stored = uow.evidence.current_pin_hash(leg.trip.member_id)
    if stored is None:
        raise InvalidInput("the member has no trip PIN: the member signs instead", field="attestation.pin",
                           rule=_PIN_RULE)
    if not _pin_matches(stored, attestation.pin):
        uow.rollback()
        uow.evidence.add(TripAttestation(leg_id=leg.id, attested_by=attestation.by, method="pin", pin_ok=False,
                                         recorded_by=actor.user_id))
        audit.record(uow, actor, "create", "trip-attestation", leg.trip.member_id, leg=leg.key, pin_ok=False)
        uow.commit()
        raise InvalidInput("the PIN does not match the member's trip PIN", field="attestation.pin", rule=_PIN_RULE)


# ----------------------------------------------------------------------------------------------------------------
# Storing with an event
# ----------------------------------------------------------------------------------------------------------------
def store(uow: Any, actor: Actor, leg: Leg, event: TripLogEvent, evidence: EventEvidence | None,
          attestation: Attestation | None) -> None:
    """Add the event's evidence rows (committed with the event)."""
    if evidence is not None:
        uow.evidence.add(TripEventEvidence(
            event=event, leg_id=leg.id, position_status=evidence.position_status, latitude=evidence.latitude,
            longitude=evidence.longitude, accuracy_m=evidence.accuracy_m, position_at=evidence.position_at,
            odometer=evidence.odometer, recorded_by=actor.user_id))
    if attestation is not None:
        uow.evidence.add(TripAttestation(
            leg_id=leg.id, event=event, attested_by=attestation.by,
            method="pin" if attestation.pin else "signature", signature_png=attestation.signature_png,
            pin_ok=True if attestation.pin else None, recorded_by=actor.user_id))


# ----------------------------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------------------------
def _iso(value: dt.datetime | None) -> str | None:
    return utc(value).isoformat() if value else None


def evidence_views(uow: Any, leg_ids: list[int], *, with_images: bool = False) -> dict[int, dict[str, Any]]:
    """Per leg: ``{"events": [{event_id, kind, position_status, latitude, longitude, accuracy_m, position_at,
    odometer}], "attestations": [{event_id, by, method, pin_ok, signature_bytes[, signature_png]}]}``."""
    evidence = uow.evidence.evidence_of(leg_ids)
    attestations = uow.evidence.attestations_of(leg_ids)
    out: dict[int, dict[str, Any]] = {}
    for leg_id in leg_ids:
        events = [{"event_id": e.event_id, "kind": e.event.kind, "position_status": e.position_status,
                   "latitude": e.latitude, "longitude": e.longitude, "accuracy_m": e.accuracy_m,
                   "position_at": _iso(e.position_at), "odometer": e.odometer} for e in evidence[leg_id]]
        attested = []
        for a in attestations[leg_id]:
            item: dict[str, Any] = {"event_id": a.event_id, "by": a.attested_by, "method": a.method,
                                    "pin_ok": a.pin_ok, "signature_bytes": len(a.signature_png or b""),
                                    "recorded_at": _iso(a.recorded_at)}
            if with_images and a.signature_png:
                item["signature_png"] = base64.b64encode(a.signature_png).decode()
            attested.append(item)
        out[leg_id] = {"events": events, "attestations": attested,
                       "attested": any(a["method"] == "signature" or a["pin_ok"] for a in attested)}
    return out


def claim_evidence(uow: Any, actor: Actor, claim_number: str) -> dict[str, Any]:
    """The evidence of every leg a claim bills (to attach to the claim): positions, odometer readings and
    attestations with their signature images (base64 PNG). Audited as a read of the member's trip log."""
    permissions.require(actor, Action.CLAIM_READ)
    claim = uow.claims.claim(actor, claim_number)
    if claim is None:
        raise NotFound("no such claim", field="claim_number", rule="claims are addressed by their number")
    legs = uow.evidence.legs(uow.evidence.legs_of_claim(claim.id))
    views = evidence_views(uow, [leg.id for leg in legs], with_images=True)
    audit.record(uow, actor, "read", "trip-evidence", claim.member_id, claim_number=claim.claim_number)
    uow.commit()
    return {"claim_number": claim.claim_number,
            "legs": [{"leg_key": leg.key, "service_date": leg.service_date.isoformat(), **views[leg.id]}
                     for leg in legs]}


def evidence_by_leg(uow: Any, actor: Actor, leg_keys: list[str]) -> dict[str, dict[str, Any]]:
    """The evidence (no images) of the legs the actor may see, by leg key: for the manifest cards."""
    permissions.require(actor, Action.TRIP_LOG_READ)
    legs = list(uow.trip_logs.legs_by_keys(leg_keys, visible_to=actor).values())
    views = evidence_views(uow, [leg.id for leg in legs])
    audit.record_members(uow, actor, "read", "trip-evidence", [leg.trip.member_id for leg in legs], via="leg-list")
    uow.commit()
    return {leg.key: views[leg.id] for leg in legs}
