"""The provider's billing profile: 837P loop 2010AA (billing provider) and 1000A (submitter); CMS 1500 fields 25
and 33."""

from __future__ import annotations

import re
from typing import Any

from nemt.billing.x12_837p import Address, BillingProviderInfo, valid_contact_phone
from nemt.domain.actors import Actor
from nemt.services.claims.common import provider_for
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.claim_models import BillingProfile
from nemt.store.models import TransportProvider

# (field, pattern, message, rule) of the coded fields.
_CODED = (
    ("tax_id", r"[0-9]{9}", "the tax ID (EIN) is nine digits", "837P REF*EI"),
    ("zip", r"[0-9]{5}([0-9]{4})?", "the ZIP code is five or nine digits", "837P N4"),
    ("state", r"[A-Z]{2}", "the state is two capital letters", "837P N4"),
    ("taxonomy", r"[0-9]{9}[0-9X]", "a taxonomy code is ten characters", "837P PRV"),
)
_REQUIRED = ("address_line", "city", "submitter_id", "submitter_name", "contact_name")
# 005010X222A1 loop 1000A: the PER segment and its communication number (PER03/PER04) are required.
PHONE_RULE = "837P loop 1000A PER04: a contact telephone number is required (005010X222A1)"
PHONE_MESSAGE = "the billing contact's telephone number is required: ten digits, area code first (303 555 0100)"


def _check(values: dict[str, str]) -> None:
    for name, pattern, message, rule in _CODED:
        if not re.fullmatch(pattern, values[name] or ""):
            raise InvalidInput(message, field=name, rule=rule)
    for name in _REQUIRED:
        if not (values[name] or "").strip():
            raise InvalidInput(f"{name} is required", field=name, rule="837P billing provider and submitter")
    if not valid_contact_phone(values["phone"] or ""):
        raise InvalidInput(PHONE_MESSAGE, field="phone", rule=PHONE_RULE)


def set_billing_profile(uow: Any, actor: Actor, provider: TransportProvider | str | None, *, address_line: str,
                        city: str, state: str, zip: str, tax_id: str, submitter_id: str, submitter_name: str,
                        contact_name: str, phone: str = "", taxonomy: str = "343900000X") -> BillingProfile:
    """Create or change the provider's billing profile (837P loop 2010AA and 1000A; CMS 1500 fields 25, 33). The
    contact telephone number is required: the 837P cannot be written without it (loop 1000A PER03/PER04)."""
    permissions.require(actor, Action.CLAIM_WRITE)
    row_provider = provider_for(uow, actor, provider)
    values = {"address_line": address_line, "city": city, "state": state, "zip": zip, "tax_id": tax_id,
              "submitter_id": submitter_id, "submitter_name": submitter_name, "contact_name": contact_name,
              "phone": phone, "taxonomy": taxonomy}
    _check(values)
    profile = uow.claims.billing_profile(row_provider.id)
    if profile is None:
        profile = uow.claims.add_billing_profile(BillingProfile(provider_id=row_provider.id))
    for name, value in values.items():
        setattr(profile, name, value)
    audit.record(uow, actor, "update", "billing-profile", None, provider=row_provider.npi)
    uow.commit()
    return profile


def billing_profile(uow: Any, actor: Actor) -> BillingProfile | None:
    """The billing profile of the actor's own provider enrolment (None without one)."""
    permissions.require(actor, Action.CLAIM_READ)
    provider = uow.claims.provider_of_organization(actor.organization_id)
    return uow.claims.billing_profile(provider.id) if provider else None


def billing_provider(uow: Any, provider: TransportProvider) -> tuple[BillingProviderInfo, BillingProfile]:
    """The 837P billing provider of a provider, and its profile; InvalidInput when it has none yet."""
    profile = uow.claims.billing_profile(provider.id)
    if profile is None:
        raise InvalidInput("the provider has no billing profile (address, tax ID, submitter): set it first "
                           "(`nemt claims profile`)", field="billing_profile", rule="837P loop 2010AA")
    if not valid_contact_phone(profile.phone or ""):  # a profile saved before the number was required
        raise InvalidInput(PHONE_MESSAGE + ": set it in the billing profile", field="phone", rule=PHONE_RULE)
    info = BillingProviderInfo(provider.organization.name, provider.npi, profile.taxonomy,
                               Address(profile.address_line, profile.city, profile.state, profile.zip), profile.tax_id)
    return info, profile
