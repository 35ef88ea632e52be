"""The inputs of the complaint use cases (the API's bodies; the pages and the command build the same)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from nemt.domain.statuses import ComplaintCategory, ComplaintFinding, ComplaintReporter

__all__ = ["ComplaintIn", "NoteIn", "ResolutionIn"]

_Text = Annotated[str, Field(min_length=1, max_length=4000)]
_Key = Annotated[str, Field(min_length=1, max_length=40)]


class ComplaintIn(BaseModel):
    """A complaint or grievance. Name the ride by its confirmation number, its trip key or one leg's key; a complaint
    about no ride names the member (by key) or nobody (a provider's billing complaint)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: ComplaintCategory
    description: _Text = Field(description="what happened, in the reporter's words")
    reported_by: ComplaintReporter | None = Field(None, description=(
        "who reports it: 'member' when an agent records a member's call; by default the caller's own side"))
    confirmation: Annotated[str, Field(max_length=20)] | None = Field(None, description="the trip's confirmation")
    trip: _Key | None = Field(None, description="the trip's key")
    leg: _Key | None = Field(None, description="one leg's key, when the complaint is about that leg")
    member: _Key | None = Field(None, description="the member's key, for a complaint about no ride")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: _Text


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    finding: ComplaintFinding
    resolution: _Text = Field(description="what was found and done, as the member's notice will say it")
