"""Request and response bodies of the API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class MemberSearch(BaseModel):
    """Search by what one search box holds (``query``: a Medicaid ID, a telephone number, part of a name, or a name
    with a birth date), or by Medicaid ID, or by last name and birth date. Sent in the body: member data never goes in
    URLs."""

    query: str | None = Field(default=None, max_length=100, examples=["D100044", "303-555-0142", "smith j"])
    medicaid_id: str | None = Field(default=None, examples=["A123456"])
    last_name: str | None = None
    first_name: str | None = None
    birth_date: dt.date | None = None


class CoverageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    plan: str
    start: dt.date
    end: dt.date | None


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    program: str
    medicaid_id: str
    first_name: str
    last_name: str
    birth_date: dt.date
    address_line: str
    city: str
    state: str
    zip: str
    county: str
    phone: str
    residence: str
    facility_has_vehicle: bool | None
    has_other_transportation: bool
    at_risk_adult: bool
    documented_needs: list[str]
    coverage: list[CoverageOut]


class ImportOut(BaseModel):
    file: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: bool


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    username: str
    role: str
    action: str
    entity: str
    member_id: int | None
    detail: dict
    channel: str = ""  # api, page, command, job
    endpoint: str = ""
    seq: int | None = None  # place in the hash chain (nemt audit verify)


class DisclosureOut(BaseModel):
    """One entry of a member's accounting of disclosures (45 CFR 164.528): who, when, what, through what."""

    model_config = ConfigDict(from_attributes=True)
    at: dt.datetime
    username: str
    role: str
    organization: str
    action: str
    entity: str
    channel: str
    endpoint: str
    detail: dict
