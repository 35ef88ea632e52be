"""Call-center pages: find a member (the search form POSTs; results link by the opaque member key), and the member
page — coverage, documented needs and certifications on file, the rides still ahead with change and cancel, and the
booking form itself, prefilled (issue 16, point 4: the agent's call). Booking, change, cancel and the
confirmation step before a cancellation are in ``page_booking``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form

from nemt import clock
from nemt.domain.decisions.words import need_words
from nemt.policy import load_policy
from nemt.services import members, rides
from nemt.services.platform import disclosures
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.services.rides import call
from nemt.store.models import Member
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf
from nemt.web.page_booking import form_options

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/members/search")
def search_form(page: Page = Depends(page_for(Action.MEMBER_SEARCH))):
    return page.render("members/search.html", results=None, error=None, form={})


@router.post("/members/search")
def search(page: Page = Depends(page_for(Action.MEMBER_SEARCH)), csrf_token: str = Form(""),
           q: str = Form(""), medicaid_id: str = Form(""), last_name: str = Form(""), first_name: str = Form(""),
           birth_date: str = Form("")):
    """One box (``q``: a Medicaid ID, a telephone number, a partial name, a name and a birth date) or the separate
    fields. One member found by the box opens that member's page at once."""
    check_csrf(page.request, csrf_token)
    form = {"q": q, "medicaid_id": medicaid_id, "last_name": last_name, "first_name": first_name,
            "birth_date": birth_date}
    try:
        born = optional_date_input(birth_date, "birth_date", "member search", label="the birth date")
        found = members.find_members(page.uow, page.actor, query=q if q.strip() else None,
                                     medicaid_id=medicaid_id.strip() or None, last_name=last_name.strip() or None,
                                     first_name=first_name.strip() or None, birth_date=born)
    except ServiceError as exc:
        return page.render("members/search.html", status_code=exc.status, results=None, error=exc, form=form)
    if q.strip() and len(found) == 1 and page.may(Action.MEMBER_BROWSE):
        return redirect(f"/members/{found[0].key}")
    return page.render("members/search.html", results=found, error=None, form=form,
                       show_id=found.by == "medicaid_id", more=found.more)


def member_context(page: Page, member: Member, form: dict | None = None) -> dict:
    """What the member page shows: coverage today, needs on file, the rides ahead, the booking form prefilled."""
    today = page.today()
    trips = rides.rides_of_member(page.uow, page.actor, member.key)
    options = form_options(page)
    policy = load_policy(member.program)
    recent = call.recent_destinations(trips, options["destinations"])
    labels = dict(options["destinations"])
    home = ", ".join(p for p in (member.address_line, member.city) if p) + f" {member.zip}"
    may_documents = page.may(Action.DOCUMENT_READ)
    return {
        "member": member, "today": today, "current": members.coverage_on(member, today),
        "trips": trips, "upcoming": call.upcoming(trips, clock.now()),
        "can_book": page.may(Action.RIDE_BOOK_PAGE), "can_write": page.may(Action.RIDE_BOOK),
        "may_read_disclosures": page.may(Action.AUDIT_DISCLOSURES), "may_documents": may_documents,
        "needs": [(n, need_words(n.need)) for n in member.needs],
        "home_pickup": home, "previous_pickups": call.previous_pickups(trips, member),
        "recent_destinations": [(v, labels[v]) for v in recent],
        "form": form or {"appointment_date": (today + dt.timedelta(days=1)).isoformat(),
                         "requested_mode": call.suggested_mode(member, policy, trips)},
        **options,
    }


@router.get("/members/{key}")
def member_page(key: str, page: Page = Depends(page_for(Action.MEMBER_SEARCH))):
    member = members.get_member(page.uow, page.actor, key)
    return page.render("members/member.html", error=None, **member_context(page, member))


@router.get("/members/{key}/disclosures")
def disclosures_page(key: str, page: Page = Depends(page_for(Action.AUDIT_DISCLOSURES))):
    """The member's accounting of disclosures (45 CFR 164.528), on its own page: reading it is audited and reads
    the member's whole trail, so the member page only links here."""
    rows = disclosures.disclosures(page.uow, page.actor, key)
    return page.render("members/disclosures.html", member_key=key, disclosures=rows)
