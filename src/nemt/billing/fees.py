"""Effective-dated fee schedule and line pricing (Rate and Fee Schedule).

"The Rate and Fee Schedule is updated annually around July 1 with the new rates implemented by the legislature
for the new State Fiscal Year." Rates are read from a CSV (``policy/programs/fee_schedule_co.csv`` holds demo
PLACEHOLDER rates), each row valid from ``effective_from`` through ``effective_to`` (inclusive; empty = open).
Money is :class:`~decimal.Decimal`, rounded to cents half-up; never float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from nemt.billing.claim_rules import Claim, ClaimLine
from nemt.policy import Policy

__all__ = ["FeeScheduleError", "FeeRow", "FeeSchedule", "load_fee_schedule", "price_claims", "CENT"]

CENT = Decimal("0.01")
_COLUMNS = ("hcpcs", "modifier", "effective_from", "effective_to", "rate", "unit")


class FeeScheduleError(ValueError):
    """A fee schedule that cannot be used, naming the file and line; or a line that has no rate on its date."""


@dataclass(frozen=True)
class FeeRow:
    hcpcs: str
    modifier: str  # procedure-table modifiers joined with ":"; "" for the code without modifier
    effective_from: dt.date
    effective_to: dt.date | None
    rate: Decimal
    unit: str

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class FeeSchedule:
    """Rates by (code, modifiers) and date. Repeat modifiers (76/77, Multiple Trips in the Same Day) do not change
    the rate; they are passed as ``ignore_modifiers``."""

    def __init__(self, rows: Iterable[FeeRow], *, ignore_modifiers: Sequence[str] = (), source: str = "(rows)"):
        self.rows = tuple(rows)
        self.ignore_modifiers = frozenset(ignore_modifiers)
        self.source = source
        self._by_key: dict[tuple[str, str], list[FeeRow]] = {}
        for row in self.rows:
            self._by_key.setdefault((row.hcpcs, row.modifier), []).append(row)
        for (code, modifier), rows in self._by_key.items():
            rows.sort(key=lambda r: r.effective_from)
            for earlier, later in itertools.pairwise(rows):
                if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                    raise FeeScheduleError(
                        f"{source}: {code} {modifier or '(no modifier)'}: periods from {earlier.effective_from} and "
                        f"{later.effective_from} overlap"
                    )

    @classmethod
    def from_csv(cls, text: str, *, source: str = "(csv)", ignore_modifiers: Sequence[str] = ()) -> FeeSchedule:
        """Parse CSV text; lines starting with ``#`` are comments (the placeholder notice)."""
        numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()
                    and not line.lstrip().startswith("#")]
        if not numbered:
            raise FeeScheduleError(f"{source}: no header line")
        reader = csv.DictReader(io.StringIO("\n".join(line for _, line in numbered)))
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FeeScheduleError(f"{source}: line {numbered[0][0]}: missing column(s) {', '.join(missing)}")
        rows = []
        # strict=False: a quoted field spanning lines gives fewer records than lines; extra lines are ignored.
        for (lineno, _), record in zip(numbered[1:], reader, strict=False):
            try:
                rate = Decimal(record["rate"].strip())
                if not rate.is_finite() or rate < 0:
                    raise InvalidOperation
                rows.append(FeeRow(
                    hcpcs=record["hcpcs"].strip(),
                    modifier=(record["modifier"] or "").strip(),
                    effective_from=dt.date.fromisoformat(record["effective_from"].strip()),
                    effective_to=dt.date.fromisoformat(record["effective_to"].strip())
                    if (record["effective_to"] or "").strip() else None,
                    rate=rate,
                    unit=(record["unit"] or "").strip(),
                ))
            except (InvalidOperation, ValueError, AttributeError):
                raise FeeScheduleError(f"{source}: line {lineno}: bad date or rate") from None
        return cls(rows, ignore_modifiers=ignore_modifiers, source=source)

    def rate(self, hcpcs: str, modifiers: Sequence[str], day: dt.date) -> Decimal:
        """The rate per unit on ``day``: the row of the code with exactly these table modifiers, else the code's
        row without modifier. Raises :class:`FeeScheduleError` when none covers the date."""
        table_modifiers = ":".join(m for m in modifiers if m not in self.ignore_modifiers)
        for key in dict.fromkeys([(hcpcs, table_modifiers), (hcpcs, "")]):
            for row in self._by_key.get(key, ()):
                if row.covers(day):
                    return row.rate
        raise FeeScheduleError(f"{self.source}: no rate for {hcpcs} {table_modifiers or ''} on {day.isoformat()}")

    def price(self, hcpcs: str, modifiers: Sequence[str], units: int, day: dt.date) -> Decimal:
        """Charge of a line: rate x units, to the cent (half up)."""
        return (self.rate(hcpcs, modifiers, day) * units).quantize(CENT, rounding=ROUND_HALF_UP)


def load_fee_schedule(policy: Policy, path: str | Path | None = None) -> FeeSchedule:
    """The program's fee schedule: ``fee_schedule.file`` next to the policy file unless ``path`` is given."""
    file = Path(path) if path else policy.path.parent / policy.get("fee_schedule.file")
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeeScheduleError(f"{file}: cannot be read: {exc.strerror}") from None
    repeat = (policy.get("claims.repeat_same_provider_modifier"), policy.get("claims.repeat_other_provider_modifier"))
    return FeeSchedule.from_csv(text, source=str(file), ignore_modifiers=repeat)


def price_claims(claims: Iterable[Claim], schedule: FeeSchedule, *, strict: bool = True) -> tuple[Claim, ...]:
    """Claims with a ``charge`` on every line. With ``strict=False`` a line without a rate keeps ``charge=None``."""
    priced: list[Claim] = []
    for claim in claims:
        lines: list[ClaimLine] = []
        for line in claim.lines:
            charge: Decimal | None
            try:
                charge = schedule.price(line.hcpcs, line.modifiers, line.units, line.date_of_service)
                if line.charge_limit is not None:  # per diem "up to" the receipt (Ancillary Services: Meals/Lodging)
                    charge = min(charge, line.charge_limit.quantize(CENT, rounding=ROUND_HALF_UP))
            except FeeScheduleError:
                if strict:
                    raise
                charge = None
            lines.append(replace(line, charge=charge))
        priced.append(replace(claim, lines=tuple(lines)))
    return tuple(priced)
