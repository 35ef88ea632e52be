"""Call-center pages: find a member (the search form POSTs; results link by the opaque member key), the member's
coverage, documented needs and trips. Booking, change and cancel are in ``page_booking``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form

from nemt.services import members, rides
from nemt.services.platform import disclosures
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/members/search")
def search_form(page: Page = Depends(page_for(Action.MEMBER_SEARCH))):
    return page.render("members/search.html", results=None, error=None, form={})


@router.post("/members/search")
def search(page: Page = Depends(page_for(Action.MEMBER_SEARCH)), csrf_token: str = Form(""),
           medicaid_id: str = Form(""), last_name: str = Form(""), first_name: str = Form(""),
           birth_date: str = Form("")):
    check_csrf(page.request, csrf_token)
    form = {"medicaid_id": medicaid_id, "last_name": last_name, "first_name": first_name, "birth_date": birth_date}
    try:
        born = optional_date_input(birth_date, "birth_date", "member search", label="the birth date")
        found = members.find_members(page.uow, page.actor, medicaid_id=medicaid_id.strip() or None,
                                     last_name=last_name.strip() or None, first_name=first_name.strip() or None,
                                     birth_date=born)
    except ServiceError as exc:
        return page.render("members/search.html", status_code=exc.status, results=None, error=exc, form=form)
    return page.render("members/search.html", results=found, error=None, form=form)


@router.get("/members/{key}")
def member_page(key: str, page: Page = Depends(page_for(Action.MEMBER_SEARCH))):
    member = members.get_member(page.uow, page.actor, key)
    today = page.today()
    trips = rides.rides_of_member(page.uow, page.actor, key)
    return page.render("members/member.html", member=member, today=today, current=members.coverage_on(member, today),
                       trips=trips, can_book=page.may(Action.RIDE_BOOK_PAGE),
                       may_read_disclosures=page.may(Action.AUDIT_DISCLOSURES))


@router.get("/members/{key}/disclosures")
def disclosures_page(key: str, page: Page = Depends(page_for(Action.AUDIT_DISCLOSURES))):
    """The member's accounting of disclosures (45 CFR 164.528), on its own page: reading it is audited and reads
    the member's whole trail, so the member page only links here."""
    rows = disclosures.disclosures(page.uow, page.actor, key)
    return page.render("members/disclosures.html", member_key=key, disclosures=rows)
