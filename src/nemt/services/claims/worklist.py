"""The denied-claims worklist: the claims a payer denied (835 CLP02 = 4) and those its front end rejected (277CA),
with the reasons in words, filters, totals and a CSV export — what a billing office works from to correct and
resubmit.

Reasons are the payer's adjustment codes (CARC, with the group code) and remark codes (RARC), claim level and line
level, in words from the code tables (:mod:`nemt.billing.remit_codes`); a front-end rejection shows its 277CA status
category. Totals are computed from the same rows the list shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nemt.billing.payers import PayerPath, payer_of
from nemt.billing.remit_codes import rarc_text
from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.policy import load_policy
from nemt.services.claims.common import payer_adjustments
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.services.reports.export import csv_text
from nemt.store.models import Claim

KINDS = ("denied", "rejected")
CSV_COLUMNS = ("claim_number", "kind", "service_date", "payer", "charge", "reason_codes", "reasons", "remarks",
               "payer_claim_number", "trace_number")


@dataclass
class Worklist:
    rows: list[dict[str, Any]]
    total_charge: Decimal = Decimal("0.00")
    by_reason: dict[str, int] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "count": len(self.rows), "total_charge": str(self.total_charge),
                "by_reason": self.by_reason, "filters": {k: str(v) for k, v in self.filters.items() if v}}


def _reasons(row: Claim) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    remarks = list((row.adjudication or {}).get("remarks", []))
    for line in row.lines:
        remarks += (line.adjudication or {}).get("remarks", [])
    shown = [{"code": f"{r['group']}-{r['reason']}", "text": r["text"], "amount": r.get("amount", ""),
              "line_number": r["line_number"]} for r in payer_adjustments(row)]
    return shown, [{"code": code, "text": rarc_text(code)} for code in dict.fromkeys(remarks)]


def _row(row: Claim) -> dict[str, Any]:
    denied = row.status == ClaimStatus.DENIED
    reasons, remarks = _reasons(row) if denied else ([], [])
    if not denied:
        detail = row.front_end_detail or {}
        reasons = [{"code": f"277CA {detail.get('category', '')}:{detail.get('status_code', '')}",
                    "text": f"rejected at the payer's front end: {detail.get('meaning', '')}", "amount": "",
                    "line_number": None}]
    adjudication = row.adjudication or {}
    return {"claim_number": row.claim_number, "key": row.key, "kind": "denied" if denied else "rejected",
            "service_date": min((ln.service_date for ln in row.lines), default=None), "payer": row.payer,
            "payer_name": payer_of(row.payer, load_policy(row.program)).name, "charge": row.total_charge,
            "reasons": reasons, "remarks": remarks, "reason_codes": sorted({r["code"] for r in reasons}),
            "payer_claim_number": row.payer_claim_number or "", "trace_number": adjudication.get("trace_number", "")}


def _keep(item: dict[str, Any], kind: str | None, reason: str | None) -> bool:
    """Kind and reason code are known once the row is read (payer and dates are filtered in the query)."""
    wanted = reason.upper() if reason else None
    return ((kind is None or item["kind"] == kind)
            and (wanted is None or any(code == wanted or code.split("-")[-1] == wanted
                                       for code in item["reason_codes"])))


def denied_worklist(uow: Any, actor: Actor, *, kind: str | None = None, payer: str | None = None,
                    reason: str | None = None, first: dt.date | None = None,
                    last: dt.date | None = None) -> Worklist:
    """The claims the actor may see that were denied (835) or rejected at the front end (277CA), oldest first,
    filtered by kind, payer (``department``/``broker``), reason code (``CO-16`` or ``16``) and dates of service."""
    permissions.require(actor, Action.CLAIM_READ)
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind", rule="denied-claims worklist")
    if payer is not None and payer not in {p.value for p in PayerPath}:
        raise InvalidInput(f"payer must be one of {', '.join(PayerPath)}", field="payer",
                           rule="denied-claims worklist")
    if first and last and first > last:
        raise InvalidInput("the first date of service is after the last", field="from", rule="date range")
    rows = uow.claims.visible_claims(actor, status=ClaimStatus.DENIED, newest_first=False, payer=payer, first=first,
                                     last=last)
    rows += [r for r in uow.claims.rejected_at_front_end(actor, payer=payer, first=first, last=last)
             if r.status != ClaimStatus.DENIED]
    items = [item for item in (_row(r) for r in rows) if _keep(item, kind, reason)]
    shown = {item["claim_number"] for item in items}
    audit.record(uow, actor, "read", "claim", None, rows=len(items), view="denied-worklist")
    audit.record_members(uow, actor, "read", "claim", [r.member_id for r in rows if r.claim_number in shown],
                         via="denied-worklist")
    uow.commit()
    counts = Counter(code for item in items for code in item["reason_codes"])
    return Worklist(items, sum((Decimal(i["charge"]) for i in items), Decimal("0.00")), dict(sorted(counts.items())),
                    {"kind": kind, "payer": payer, "reason": reason, "from": first, "to": last})


def worklist_csv(worklist: Worklist) -> str:
    """The worklist as CSV (one row per claim; reasons and remarks joined with " | "), with a totals row; written by
    the platform's one CSV writer, so a cell a spreadsheet would run as a formula is escaped."""
    rows: list[list[object]] = [
        [item["claim_number"], item["kind"], item["service_date"], item["payer_name"], item["charge"],
         " ".join(item["reason_codes"]), " | ".join(r["text"] for r in item["reasons"]),
         " | ".join(f"{r['code']}: {r['text']}" for r in item["remarks"]), item["payer_claim_number"],
         item["trace_number"]] for item in worklist.rows]
    rows.append(["TOTAL", f"{len(worklist.rows)} claims", "", "", f"{worklist.total_charge:.2f}", "", "", "", "", ""])
    return csv_text(CSV_COLUMNS, rows)
