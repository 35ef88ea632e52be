"""Transportation-provider pages: trips assigned to the organization with their trip logs, drivers and vehicles
with their credentials, manifests, and claims (built, exported, and their status)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from nemt.http.uploads import read_upload
from nemt.policy import load_policy
from nemt.services import claims, trips
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, csv_response, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/provider/trips")
def trips_page(page: Page = Depends(page_for(Action.PROVIDER_DESK)), day: str | None = None):
    d = optional_date_input(day, "day", "assigned trips", label="the day")
    assigned = trips.assigned_trips(page.uow, page.actor, d)
    return page.render("provider/trips.html", views=assigned.views, legs=assigned.legs, vehicles=assigned.vehicles,
                       day=d, runs=assigned.runs)


@router.get("/provider/trip-logs/{leg_key}")
def trip_log_page(leg_key: str, page: Page = Depends(page_for(Action.PROVIDER_DESK))):
    detail = trips.leg_detail(page.uow, page.actor, leg_key)
    policy = load_policy(detail.leg.trip.program)  # the 25-mile form: only where the program has the rule
    radius = policy.get("distance.radius_miles") if policy.has("distance") else None
    return page.render("provider/trip_log.html", view=detail.view, leg=detail.leg, vehicle=detail.vehicle,
                       driver=detail.driver, form_radius=radius)


@router.get("/provider/fleet")
def fleet(page: Page = Depends(page_for(Action.PROVIDER_DESK))):
    found = trips.fleet(page.uow, page.actor, page.today())
    return page.render("provider/fleet.html", provider=found.provider, drivers=found.drivers, vehicles=found.vehicles,
                       today=found.today, runs=found.runs)


# --- claims ----------------------------------------------------------------------------------------------------------


def _claims_render(page: Page, result=None, error: ServiceError | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, remit=None, ack=None):
    listed = claims.list_claims(page.uow, page.actor)
    batches = claims.recent_batches(page.uow, page.actor)
    profile = claims.billing_profile(page.uow, page.actor)
    today = page.today()
    counts: dict[str, int] = {}
    for c in listed:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    return page.render("provider/claims.html", claims=listed, counts=counts, result=result, error=error,
                       profile=profile, batches=batches, remit=remit, ack=ack,
                       start=start or today - dt.timedelta(days=30), end=end or today,
                       status_code=error.status if error else 200)


@router.get("/provider/claims")
def claims_page(page: Page = Depends(page_for(Action.PROVIDER_DESK))):
    return _claims_render(page)


@router.post("/provider/claims/build")
def build_claims(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
                 start: str = Form(...), end: str = Form(...)):
    check_csrf(page.request, csrf_token)
    first = optional_date_input(start, "start", "claims", label="the first date of service")
    last = optional_date_input(end, "end", "claims", label="the last date of service")
    if first is None or last is None:
        raise InvalidInput("give the first and last dates of service", field="start", rule="claims")
    try:
        result = claims.build_claims_for_provider(page.uow, page.actor, None, (first, last), today=page.today())
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc, start=first, end=last)
    return _claims_render(page, result=result, start=first, end=last)


@router.post("/provider/claims/export")
def export_claims(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
                  format: str = Form("837p"), payer: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        exported = claims.export_claims(page.uow, page.actor, fmt=format, payer=payer or None)
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc)
    if exported.format == "cms1500":
        return Response(exported.content, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="cms1500-{exported.batch_id}.pdf"'})
    return Response(exported.content, media_type="application/edi-x12",
                    headers={"Content-Disposition": f'attachment; filename="837p-{exported.batch_id}.x12"'})


@router.post("/provider/claims/profile")
def billing_profile(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
                    address_line: str = Form(""), city: str = Form(""), state: str = Form(""), zip: str = Form(""),
                    tax_id: str = Form(""), submitter_id: str = Form(""), submitter_name: str = Form(""),
                    contact_name: str = Form(""), phone: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        claims.set_billing_profile(page.uow, page.actor, None, address_line=address_line.strip(), city=city.strip(),
                                   state=state.strip().upper(), zip=zip.strip(), tax_id=tax_id.strip(),
                                   submitter_id=submitter_id.strip(), submitter_name=submitter_name.strip(),
                                   contact_name=contact_name.strip(), phone=phone.strip())
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc)
    return redirect("/provider/claims")


@router.post("/provider/claims/void")
def void_claim(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
               claim_number: str = Form(...), action: str = Form("void")):
    check_csrf(page.request, csrf_token)
    try:
        if action == "replace":
            claims.replace_claim(page.uow, page.actor, claim_number, today=page.today())
        else:
            claims.void_claim(page.uow, page.actor, claim_number)
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc)
    return redirect("/provider/claims")


@router.post("/provider/claims/remittances")
def post_remittance(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
                    file: UploadFile = File(...)):
    """Post an 835 from the page, as `nemt claims remit` and the API do (all or nothing, naming the segment)."""
    check_csrf(page.request, csrf_token)
    try:
        remit = claims.post_remittance(page.uow, page.actor, read_upload(file))
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc)
    return _claims_render(page, remit=remit)


@router.post("/provider/claims/acknowledgments")
def post_acknowledgment(page: Page = Depends(page_for(Action.PROVIDER_DESK)), csrf_token: str = Form(""),
                        file: UploadFile = File(...)):
    """Read a 999, TA1 or 277CA from the page (pyx12-checked; a malformed file changes nothing)."""
    check_csrf(page.request, csrf_token)
    try:
        ack = claims.read_acknowledgment(page.uow, page.actor, read_upload(file))
    except ServiceError as exc:
        page.uow.rollback()
        return _claims_render(page, error=exc)
    return _claims_render(page, ack=ack)


@router.get("/provider/claims/denied")
def denied_page(page: Page = Depends(page_for(Action.PROVIDER_DESK)), kind: str = "", payer: str = "",
                reason: str = "", start: str = "", end: str = "", format: str = ""):
    """The denied-claims worklist with filters and totals; ``format=csv`` downloads it."""
    first = optional_date_input(start or None, "start", "denied-claims worklist", label="the first date of service")
    last = optional_date_input(end or None, "end", "denied-claims worklist", label="the last date of service")
    found = claims.denied_worklist(page.uow, page.actor, kind=kind or None, payer=payer or None,
                                   reason=reason.strip() or None, first=first, last=last)
    if format == "csv":
        return csv_response(claims.worklist_csv(found), "denied-claims.csv")
    return page.render("provider/denied.html", worklist=found, kind=kind, payer=payer, reason=reason, start=first,
                       end=last)
