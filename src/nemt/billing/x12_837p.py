"""X12 837 Professional (005010X222A1) writer for Health First Colorado NEMT claims.

"The 837 Professional (837P) transaction should be utilized for electronic billing" (NEMT Billing Information).
One call writes one interchange: ISA / GS / ST ... SE / GE / IEA. The interchange and group control numbers are
passed in by the caller (the database layer allocates them uniquely); nothing here touches a database.

Besides the X12 syntax the independent validator (pyx12, :mod:`nemt.billing.x12_validate`) checks, the writer
enforces what pyx12 does not: NPI check digits, a diagnosis written without a decimal point (Diagnosis Codes),
a claim total equal to the sum of its line charges, single-date lines (Dates of Services; Span Billing) and the
segment count in SE01.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nemt.billing.claim_rules import Claim
from nemt.domain.identifiers import valid_npi
from nemt.policy import Policy

__all__ = [
    "X12WriteError",
    "Address",
    "Submitter",
    "Receiver",
    "Payer",
    "BillingProviderInfo",
    "SubscriberInfo",
    "ServiceLine",
    "ClaimSubmission",
    "FREQUENCIES",
    "MAX_LINES_PER_CLAIM",
    "write_837p",
    "submissions_from_claims",
    "split_name",
    "phone_digits",
    "valid_contact_phone",
]

# 837P TR3: loop 2400 (service line) repeats at most 50 times per claim.
MAX_LINES_PER_CLAIM = 50
FREQUENCIES = ("original", "replacement", "void")  # CMS 1500 Paper Claim Reference Table, field 22: 7 / 8

SEGMENT_TERMINATOR = "~"
ELEMENT_SEPARATOR = "*"
COMPONENT_SEPARATOR = ":"
REPETITION_SEPARATOR = "^"
_DELIMITERS = re.compile(r"[*~:^\r\n]")
_ADDRESS = re.compile(
    r"^(?P<line>.+?),\s*(?P<city>[^,]+?),\s*(?P<state>[A-Z]{2})"
    r"\s+(?P<zip>[0-9]{5}(?:-?[0-9]{4})?)\s*$"
)


class X12WriteError(ValueError):
    """The claims cannot be written as a valid 837P: names the claim number/line and the rule (never member data)."""


def _text(value: str, max_len: int) -> str:
    """An element value: separators removed (they would break the segment), trimmed to the element's length."""
    return " ".join(_DELIMITERS.sub(" ", value).split())[:max_len].strip()


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    zip: str

    @classmethod
    def parse(cls, text: str | None) -> Address | None:
        """``"1200 Example Ave, Denver, CO 80205"`` -> Address; None when the text has no city, state and ZIP."""
        if not text:
            return None
        match = _ADDRESS.match(text.strip())
        if not match:
            return None
        return cls(match["line"], match["city"], match["state"], match["zip"].replace("-", ""))


@dataclass(frozen=True)
class Submitter:
    name: str
    id: str  # ETIN / submitter ID, also ISA06 and GS02
    contact_name: str
    phone: str

    @property
    def phone_digits(self) -> str:
        return phone_digits(self.phone)


def phone_digits(phone: str) -> str:
    """The digits of a telephone number as typed ("(303) 555-0100" -> "3035550100")."""
    return re.sub(r"[^0-9]", "", phone)


def valid_contact_phone(phone: str) -> bool:
    """005010X222A1 loop 1000A PER (Submitter EDI Contact Information) is required, and so are PER03/PER04: a
    communication number. A telephone number of the North American Dialing Plan is written as ten digits,
    AAABBBCCCC (area code, prefix, number); a made-up ``0000000000`` is no number."""
    digits = phone_digits(phone)
    return len(digits) == 10 and digits[0] not in "01"


@dataclass(frozen=True)
class Receiver:
    name: str
    id: str


@dataclass(frozen=True)
class Payer:
    name: str
    id: str


@dataclass(frozen=True)
class BillingProviderInfo:
    name: str
    npi: str
    taxonomy: str
    address: Address
    tax_id: str  # EIN, nine digits


@dataclass(frozen=True)
class SubscriberInfo:
    member_id: str = field(repr=False)
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    birth_date: dt.date | None = field(default=None, repr=False)
    gender: str = "U"


@dataclass(frozen=True)
class ServiceLine:
    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: int
    date_of_service: dt.date
    place_of_service: str
    rendering_npi: str | None = None
    pickup: Address | None = None
    dropoff: Address | None = None
    emergency: bool = False  # EMG (Emergency) Indicator: NEMT is always non-emergency


@dataclass(frozen=True)
class ClaimSubmission:
    claim_number: str  # CLM01, the provider's patient control number (max 38)
    subscriber: SubscriberInfo
    place_of_service: str
    diagnosis: str
    lines: tuple[ServiceLine, ...]
    frequency: str = "original"  # original | replacement | void
    original_claim_number: str | None = None  # REF*F8, the payer's claim number of the claim replaced/voided
    pickup: Address | None = None
    dropoff: Address | None = None
    payer_id: str | None = None  # the payer this claim may go to (NM1*PR); None: whichever the file is addressed to

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))


def split_name(full_name: str) -> tuple[str, str]:
    """``"Amy Sample"`` -> ``("Sample", "Amy")``; ``"Sample, Amy"`` -> the same."""
    if "," in full_name:
        last, first = full_name.split(",", 1)
        return last.strip(), first.strip()
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip(), ""
    return parts[-1], " ".join(parts[:-1])


def submissions_from_claims(
    claims: Iterable[Claim],
    *,
    claim_number_prefix: str,
    frequency: str = "original",
    original_claim_numbers: Sequence[str | None] | None = None,
) -> list[ClaimSubmission]:
    """Priced :class:`~nemt.billing.claim_rules.Claim` values -> 837P claims. Pick-up and drop-off of the claim
    (loops 2310E/2310F) are the first trip line's; a line of another leg carries its own (loops 2420G/2420H).
    A claim with more than :data:`MAX_LINES_PER_CLAIM` lines is written as several claims."""
    out: list[ClaimSubmission] = []
    for index, claim in enumerate(claims):
        last, first = split_name(claim.member_name)
        subscriber = SubscriberInfo(claim.member_id, last, first, claim.member_birth_date,
                                    claim.member_sex if claim.member_sex in ("F", "M") else "U")
        chunks = [claim.lines[i:i + MAX_LINES_PER_CLAIM] for i in range(0, len(claim.lines), MAX_LINES_PER_CLAIM)]
        for part, chunk in enumerate(chunks):
            trip = next((line for line in chunk if line.pickup_address), None)
            claim_pickup = Address.parse(trip.pickup_address) if trip else None
            claim_dropoff = Address.parse(trip.dropoff_address) if trip else None
            lines = []
            for line in chunk:
                if line.charge is None:
                    raise X12WriteError(f"claim {index + 1}: line {line.hcpcs} has no charge (price it first)")
                pickup = Address.parse(line.pickup_address)
                dropoff = Address.parse(line.dropoff_address)
                lines.append(ServiceLine(
                    hcpcs=line.hcpcs, modifiers=line.modifiers, charge=line.charge, units=line.units,
                    date_of_service=line.date_of_service, place_of_service=line.place_of_service,
                    rendering_npi=line.rendering_provider_npi,
                    pickup=pickup if pickup != claim_pickup else None,
                    dropoff=dropoff if dropoff != claim_dropoff else None,
                ))
            number = f"{claim_number_prefix}{index + 1:05d}" + (f"-{part + 1}" if len(chunks) > 1 else "")
            original = original_claim_numbers[index] if original_claim_numbers else None
            out.append(ClaimSubmission(
                claim_number=number, subscriber=subscriber, place_of_service=claim.place_of_service,
                diagnosis=claim.diagnosis, lines=tuple(lines), frequency=frequency,
                original_claim_number=original, pickup=claim_pickup, dropoff=claim_dropoff,
            ))
    return out


def _money(amount: Decimal) -> str:
    """X12 R type: no thousands separator, no trailing zeros required; we write cents always (``74.00``)."""
    return f"{amount.quantize(Decimal('0.01')):f}"


def check_claim(claim: ClaimSubmission, billing_npi: str, policy: Policy, payer: Payer | None = None) -> None:
    """The project's own edits, which pyx12 does not make. Raises :class:`X12WriteError`. With ``payer``: a claim
    payable by another payer is refused, so a broker-area claim never goes to the Department."""
    where = f"claim {claim.claim_number}"
    if not valid_npi(billing_npi):
        raise X12WriteError("billing provider NPI fails the check digit (Luhn over 80840 + first nine digits)")
    if payer is not None and claim.payer_id is not None and claim.payer_id != payer.id:
        raise X12WriteError(f"{where} is payable by {claim.payer_id} only and cannot be sent to {payer.id} "
                            "(Payment for Covered Services)")
    if "." in claim.diagnosis or not re.fullmatch(r"[A-Z][0-9A-Z]{2,6}", claim.diagnosis):
        raise X12WriteError(f"{where}: diagnosis must be an ICD-10 code without the decimal point (Diagnosis Codes)")
    if claim.diagnosis != policy.get("claims.diagnosis"):
        raise X12WriteError(f"{where}: diagnosis must be {policy.get('claims.diagnosis_display')} for all NEMT claims")
    if not claim.lines:
        raise X12WriteError(f"{where}: a claim needs at least one service line")
    if len(claim.lines) > MAX_LINES_PER_CLAIM:
        raise X12WriteError(f"{where}: more than {MAX_LINES_PER_CLAIM} service lines")
    if claim.frequency not in FREQUENCIES:
        raise X12WriteError(f"{where}: frequency must be one of {', '.join(FREQUENCIES)}")
    if claim.frequency != "original" and not claim.original_claim_number:
        raise X12WriteError(f"{where}: a {claim.frequency} needs the original claim number (REF*F8)")
    if claim.frequency == "original" and claim.original_claim_number:
        raise X12WriteError(f"{where}: an original claim carries no original claim number")
    if not policy.valid_medicaid_id(claim.subscriber.member_id):
        raise X12WriteError(f"{where}: member ID is not a Health First Colorado ID")
    total = Decimal("0.00")
    for n, line in enumerate(claim.lines, start=1):
        if line.rendering_npi is not None and not valid_npi(line.rendering_npi):
            raise X12WriteError(f"{where} line {n}: rendering NPI fails the check digit")
        if line.units <= 0 or int(line.units) != line.units:
            raise X12WriteError(f"{where} line {n}: units must be a positive whole number (24G)")
        if line.charge < 0:
            raise X12WriteError(f"{where} line {n}: negative charge")
        if len(line.modifiers) > 4:
            raise X12WriteError(f"{where} line {n}: at most four modifiers")
        total += line.charge
    if total != claim.total_charge:  # pragma: no cover - total_charge is the sum by construction
        raise X12WriteError(f"{where}: claim total differs from the sum of line charges")


def _n3_n4(segments: list[str], address: Address) -> None:
    segments.append(f"N3*{_text(address.line1, 55)}")
    segments.append(f"N4*{_text(address.city, 30)}*{address.state}*{address.zip}")


def write_837p(
    claims: Sequence[ClaimSubmission],
    *,
    submitter: Submitter,
    billing_provider: BillingProviderInfo,
    interchange_control_number: int,
    group_control_number: int,
    policy: Policy,
    created_at: dt.datetime,
    receiver: Receiver | None = None,
    payer: Payer | None = None,
    transaction_control_number: int = 1,
    production: bool = False,
    check_total: Decimal | None = None,
    transaction_type: str = "CH",
) -> str:
    """One 837P interchange holding ``claims``. Control numbers: ISA13/IEA02 = ``interchange_control_number``
    (1..999999999), GS06/GE02 = ``group_control_number``, ST02/SE02 = ``transaction_control_number``.
    ``check_total`` (optional) must equal the sum of all claim totals, as a batch-level cross-check. ``created_at``
    (ISA09/ISA10, GS04/GS05, BHT04/BHT05) is given by the caller and written in the program's zone (a naive value is
    taken as already in it): the writer reads no clock. ``transaction_type`` is BHT06: ``CH`` a claim for payment,
    ``RP`` a report (the broker's encounter file to the state)."""
    if not 0 < interchange_control_number <= 999_999_999:
        raise X12WriteError("interchange control number must be 1..999999999")
    if not 0 < group_control_number <= 999_999_999:
        raise X12WriteError("group control number must be 1..999999999")
    if not claims:
        raise X12WriteError("no claims to write")
    if transaction_type not in ("CH", "RP"):
        raise X12WriteError("BHT06 must be CH (chargeable) or RP (reporting)")
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(policy.time_zone)
    receiver = receiver or Receiver(policy.get("x12.receiver_name"), policy.get("x12.receiver_id"))
    payer = payer or Payer(policy.get("x12.payer_name"), policy.get("x12.payer_id"))
    version = policy.get("x12.implementation")
    frequency_code = {
        "original": policy.get("claims.frequency_original"),
        "replacement": policy.get("claims.frequency_replacement"),
        "void": policy.get("claims.frequency_void"),
    }
    diagnosis_pointer = "1"  # Diagnosis Codes: "placing a "1" in the diagnosis indicator field"
    if not valid_contact_phone(submitter.phone):
        raise X12WriteError("the submitter's contact telephone number (ten digits, area code first) is required: "
                            "loop 1000A PER03/PER04")
    for claim in claims:
        check_claim(claim, billing_provider.npi, policy, payer)
    if check_total is not None and check_total != sum((c.total_charge for c in claims), Decimal("0.00")):
        raise X12WriteError("batch total differs from the sum of claim totals")

    st = f"{transaction_control_number:04d}"
    segments: list[str] = [
        f"ST*837*{st}*{version}",
        f"BHT*0019*00*{interchange_control_number}*{created_at:%Y%m%d}*{created_at:%H%M}*{transaction_type}",
        f"NM1*41*2*{_text(submitter.name, 60)}*****46*{_text(submitter.id, 80)}",
        f"PER*IC*{_text(submitter.contact_name, 60)}*TE*{submitter.phone_digits}",
        f"NM1*40*2*{_text(receiver.name, 60)}*****46*{_text(receiver.id, 80)}",
        "HL*1**20*1",
        f"PRV*BI*PXC*{billing_provider.taxonomy}",
        f"NM1*85*2*{_text(billing_provider.name, 60)}*****XX*{billing_provider.npi}",
    ]
    _n3_n4(segments, billing_provider.address)
    segments.append(f"REF*EI*{re.sub(r'[^0-9]', '', billing_provider.tax_id)}")
    hl = 1
    for claim in claims:
        hl += 1
        sub = claim.subscriber
        segments.append(f"HL*{hl}*1*22*0")
        segments.append(f"SBR*P*18*******{policy.get('x12.claim_filing_indicator')}")
        segments.append(f"NM1*IL*1*{_text(sub.last_name, 60)}*{_text(sub.first_name, 35)}****MI*{sub.member_id}")
        if sub.birth_date is not None:
            segments.append(f"DMG*D8*{sub.birth_date:%Y%m%d}*{sub.gender}")
        segments.append(f"NM1*PR*2*{_text(payer.name, 60)}*****PI*{_text(payer.id, 80)}")
        segments.append(
            f"CLM*{_text(claim.claim_number, 38)}*{_money(claim.total_charge)}***"
            f"{claim.place_of_service}:B:{frequency_code[claim.frequency]}*Y*A*Y*Y"
        )
        if claim.original_claim_number:
            segments.append(f"REF*F8*{_text(claim.original_claim_number, 50)}")
        segments.append(f"HI*ABK:{claim.diagnosis}")
        if claim.pickup:
            segments.append("NM1*PW*2")
            _n3_n4(segments, claim.pickup)
        if claim.dropoff:
            segments.append("NM1*45*2")
            _n3_n4(segments, claim.dropoff)
        for n, line in enumerate(claim.lines, start=1):
            procedure = COMPONENT_SEPARATOR.join(("HC", line.hcpcs) + tuple(line.modifiers))
            # SV109 only takes "Y"; a non-emergency line leaves it blank (EMG (Emergency) Indicator: "Enter N or
            # leave blank").
            emergency = "*Y" if line.emergency else ""
            segments.append(f"LX*{n}")
            segments.append(
                f"SV1*{procedure}*{_money(line.charge)}*UN*{line.units}*{line.place_of_service}**{diagnosis_pointer}"
                f"{emergency}"
            )
            segments.append(f"DTP*472*D8*{line.date_of_service:%Y%m%d}")
            if line.rendering_npi and line.rendering_npi != billing_provider.npi:
                segments.append(f"NM1*82*2*RENDERING PROVIDER*****XX*{line.rendering_npi}")
            if line.pickup:
                segments.append("NM1*PW*2")
                _n3_n4(segments, line.pickup)
            if line.dropoff:
                segments.append("NM1*45*2")
                _n3_n4(segments, line.dropoff)
    segments.append(f"SE*{len(segments) + 1}*{st}")

    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{_text(submitter.id, 15):<15}*ZZ*{_text(receiver.id, 15):<15}"
        f"*{created_at:%y%m%d}*{created_at:%H%M}*{REPETITION_SEPARATOR}*00501*{interchange_control_number:09d}*0*"
        f"{'P' if production else 'T'}*{COMPONENT_SEPARATOR}"
    )
    gs = (
        f"GS*HC*{_text(submitter.id, 15)}*{_text(receiver.id, 15)}*{created_at:%Y%m%d}*{created_at:%H%M}"
        f"*{group_control_number}*X*{version}"
    )
    envelope = [isa, gs, *segments, f"GE*1*{group_control_number}", f"IEA*1*{interchange_control_number:09d}"]
    return "".join(segment + SEGMENT_TERMINATOR + "\n" for segment in envelope)


def count_transaction_segments(text: str) -> int:
    """Segments from ST through SE inclusive (what SE01 must say)."""
    segments = [s.strip() for s in text.split(SEGMENT_TERMINATOR) if s.strip()]
    start = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    return end - start + 1
