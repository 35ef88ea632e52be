"""X12 999 Implementation Acknowledgment (005010X231A1) and TA1 Interchange Acknowledgment: reader and writer.

A 999 answers one functional group of ours (AK1 02 = the GS06 group control number of the 837P batch) and says for
each transaction set (AK2 … IK5) and for the whole group (AK9 01) whether it was accepted: ``A`` accepted, ``E``
accepted with errors noted, ``P`` partially accepted (some transaction sets rejected), ``R`` rejected (``M``, ``W``
and ``X`` are rejections too). The segment in error is the IK3 (segment id, its position counted from ST, its loop,
a code) with the IK4 of the element in error. A TA1 answers the interchange envelope (TA1 01 = the ISA13 interchange
control number): ``A``, ``E`` or ``R`` with a note code.

Code meanings below are those of the X12 005010 code lists for the 999 (IK304 segment syntax error codes, IK403
element syntax error codes, IK501/AK901 acknowledgment codes) and the TA1 (TA104, TA105), as published in the
005010X231A1 TR3 and the X12 Interchange Control Structure; a code not listed is shown by its number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nemt.billing.x12_837p import SEGMENT_TERMINATOR, X12WriteError, _text
from nemt.billing.x12_ack import AckError, Segment, envelope, fail, required, segments_of

__all__ = ["ACK_CODES", "BatchAck", "ElementError", "SegmentError", "TransactionAck", "parse_999",
           "write_999", "write_ta1"]

VERSION = "005010X231A1"
ACK_CODES = {"A": "accepted", "E": "accepted with errors noted", "P": "partially accepted",
             "R": "rejected", "M": "rejected: message authentication code failed",
             "W": "rejected: assurance failed validity tests", "X": "rejected: content could not be analyzed"}
_ACCEPTED = frozenset({"A", "E"})
SEGMENT_ERRORS = {
    "1": "unrecognized segment", "2": "unexpected segment", "3": "required segment missing",
    "4": "loop occurs over maximum times", "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set", "7": "segment not in proper sequence",
    "8": "segment has data element errors", "I4": "implementation 'not used' segment present",
    "I6": "implementation dependent segment missing", "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use", "I9": "implementation dependent 'not used' segment present",
}
ELEMENT_ERRORS = {
    "1": "required data element missing", "2": "conditional required data element missing",
    "3": "too many data elements", "4": "data element too short", "5": "data element too long",
    "6": "invalid character in data element", "7": "invalid code value", "8": "invalid date", "9": "invalid time",
    "10": "exclusion condition violated", "12": "too many repetitions", "13": "too many components",
    "I6": "code value not used in implementation", "I9": "implementation dependent data element missing",
    "I10": "implementation 'not used' data element present", "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure", "I13": "implementation dependent 'not used' data element present",
}
TA1_NOTES = {
    "000": "no error", "001": "the interchange control numbers in the header and trailer do not match",
    "005": "invalid interchange ID qualifier for sender", "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for receiver", "008": "invalid interchange receiver ID",
    "014": "invalid interchange date", "015": "invalid interchange time",
    "018": "invalid interchange control number", "022": "invalid control structure",
    "023": "improper (premature) end of file", "024": "invalid interchange content",
}


@dataclass(frozen=True)
class ElementError:
    position: str  # IK401: the element's position in the segment (with the component, "2:1")
    reference: str  # IK402: the data element reference number
    code: str  # IK403

    @property
    def meaning(self) -> str:
        return ELEMENT_ERRORS.get(self.code, f"element error {self.code}")


@dataclass(frozen=True)
class SegmentError:
    """The segment in error: IK3 and its IK4s. ``position`` is counted from the transaction set's ST (= 1)."""

    transaction_set: str  # AK202: the ST02 control number
    segment_id: str  # IK301
    position: int  # IK302
    loop: str  # IK303
    code: str  # IK304
    elements: tuple[ElementError, ...] = ()

    @property
    def meaning(self) -> str:
        return SEGMENT_ERRORS.get(self.code, f"segment error {self.code}")

    def describe(self) -> str:
        """"segment SV1 at position 34 (loop 2400): segment has data element errors; element 3: invalid code value"."""
        where = f"segment {self.segment_id} at position {self.position}" + (f" (loop {self.loop})" if self.loop else "")
        parts = [f"{where}: {self.meaning}"] + [f"element {e.position}: {e.meaning}" for e in self.elements]
        return "; ".join(parts)


@dataclass(frozen=True)
class TransactionAck:
    control_number: str  # AK202
    code: str  # IK501

    @property
    def accepted(self) -> bool:
        return self.code in _ACCEPTED


@dataclass(frozen=True)
class BatchAck:
    """What a 999 or TA1 says of one of our batches."""

    kind: str  # "999" or "TA1"
    code: str  # AK901 or TA104
    group_control_number: int | None = None  # AK102 (999)
    interchange_control_number: int | None = None  # TA101 (TA1)
    note: str = ""  # TA105
    transaction_sets: tuple[TransactionAck, ...] = ()
    errors: tuple[SegmentError, ...] = ()

    @property
    def status(self) -> str:
        """``accepted``, ``partially-accepted`` or ``rejected``: what the batch becomes."""
        if self.code in _ACCEPTED:
            return "accepted"
        return "partially-accepted" if self.code == "P" else "rejected"

    @property
    def meaning(self) -> str:
        text = ACK_CODES.get(self.code, f"code {self.code}")
        if self.kind == "TA1" and self.note and self.note != "000":
            text += f": {TA1_NOTES.get(self.note, f'note {self.note}')}"
        return text


def _int(segment: Segment, index: int, what: str) -> int:
    value = required(segment, index, what)
    if not value.isdigit():
        raise fail(segment, f"{segment.id}{index:02d} ({what}) is not a number")
    return int(value)


def _code(segment: Segment, index: int, what: str, known: dict[str, str]) -> str:
    value = required(segment, index, what)
    if value not in known:
        raise fail(segment, f"{segment.id}{index:02d} ({what}) is not one of {', '.join(known)}")
    return value


def _ta1(segment: Segment) -> BatchAck:
    return BatchAck("TA1", _code(segment, 4, "interchange acknowledgment code", {k: ACK_CODES[k] for k in "AER"}),
                    interchange_control_number=_int(segment, 1, "interchange control number"),
                    note=segment.get(5).strip())


def _ik4(segment: Segment) -> ElementError:
    return ElementError(required(segment, 1, "element position"), segment.get(2).strip(),
                        required(segment, 3, "element syntax error code"))


def _read_999(segments: list[Segment], start: int) -> BatchAck:
    """The 999 transaction set from ``segments[start]`` (its ST) to its AK9."""
    group: int | None = None
    sets: list[TransactionAck] = []
    errors: list[SegmentError] = []
    current_set = ""
    draft: dict[str, Any] | None = None
    for segment in segments[start + 1:]:
        if draft is not None and segment.id != "IK4" and segment.id != "CTX":
            errors.append(SegmentError(**draft))
            draft = None
        if segment.id == "AK1":
            group = _int(segment, 2, "group control number")
        elif segment.id == "AK2":
            current_set = required(segment, 2, "transaction set control number")
        elif segment.id == "IK3":
            position = _int(segment, 2, "segment position in transaction set")
            draft = {"transaction_set": current_set, "segment_id": required(segment, 1, "segment ID code"),
                     "position": position, "loop": segment.get(3).strip(),
                     "code": required(segment, 4, "segment syntax error code"), "elements": ()}
        elif segment.id == "IK4":
            if draft is None:
                raise fail(segment, "an IK4 must follow the IK3 of its segment")
            draft["elements"] += (_ik4(segment),)
        elif segment.id == "IK5":
            sets.append(TransactionAck(current_set, _code(segment, 1, "acknowledgment code", ACK_CODES)))
        elif segment.id == "AK9":
            if group is None:
                raise fail(segment, "the AK1 naming the acknowledged group is missing")
            return BatchAck("999", _code(segment, 1, "functional group acknowledge code", ACK_CODES),
                            group_control_number=group, transaction_sets=tuple(sets), errors=tuple(errors))
        elif segment.id == "SE":
            break
    raise fail(segments[start], "the 999 has no AK9 (functional group response trailer)")


def parse_999(text: str) -> list[BatchAck]:
    """Every acknowledgment in the interchange: its TA1s, then each 999 transaction set's. Raises
    :class:`~nemt.billing.x12_ack.AckError` naming the segment when the file is malformed."""
    segments = segments_of(text)
    out = [_ta1(s) for s in segments if s.id == "TA1"]
    for n, segment in enumerate(segments):
        if segment.id == "ST":
            if segment.get(1).strip() != "999":
                raise fail(segment, "ST01 must be 999 (implementation acknowledgment)")
            out.append(_read_999(segments, n))
    if not out:
        raise AckError(1, "ISA", "the interchange holds neither a TA1 nor a 999")
    return out


# --- writers (sample files) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetResult:
    """One acknowledged transaction set, for :func:`write_999`: its ST02, code and errors."""

    control_number: str
    code: str = "A"
    errors: Sequence[SegmentError] = field(default_factory=tuple)


def write_999(group_control_number: int, results: Sequence[SetResult], *, acknowledged_version: str,
              sender: str, receiver: str, interchange_control_number: int, own_group_control_number: int,
              created_at: dt.datetime) -> str:
    """A 999 answering our group ``group_control_number`` (the batch's GS06), as a clearinghouse would."""
    if not results:
        raise X12WriteError("a 999 acknowledges at least one transaction set")
    body = ["ST*999*0001*" + VERSION, f"AK1*HC*{group_control_number}*{acknowledged_version}"]
    for result in results:
        body.append(f"AK2*837*{result.control_number}*{acknowledged_version}")
        for error in result.errors:
            body.append(f"IK3*{error.segment_id}*{error.position}*{error.loop}*{error.code}")
            body += [f"IK4*{e.position}*{e.reference}*{e.code}" for e in error.elements]
        body.append(f"IK5*{result.code}" + ("" if result.code in _ACCEPTED else "*5"))
    accepted = sum(r.code in _ACCEPTED for r in results)
    group_code = "A" if accepted == len(results) else ("R" if accepted == 0 else "P")
    body.append(f"AK9*{group_code}*{len(results)}*{len(results)}*{accepted}")
    body.append(f"SE*{len(body) + 1}*0001")
    return envelope(body, functional_id="FA", version=VERSION, sender=sender, receiver=receiver,
                    interchange_control_number=interchange_control_number,
                    group_control_number=own_group_control_number, created_at=created_at)


def write_ta1(acknowledged_interchange: int, sent_at: dt.datetime, code: str, note: str, *, sender: str,
              receiver: str, interchange_control_number: int, created_at: dt.datetime) -> str:
    """A TA1-only interchange (no functional group: IEA01 = 0) answering our interchange's envelope."""
    if code not in ("A", "E", "R"):
        raise X12WriteError("TA104 is A, E or R")
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{_text(sender, 15):<15}*ZZ*{_text(receiver, 15):<15}"
           f"*{created_at:%y%m%d}*{created_at:%H%M}*^*00501*{interchange_control_number:09d}*0*T*:")
    ta1 = f"TA1*{acknowledged_interchange:09d}*{sent_at:%y%m%d}*{sent_at:%H%M}*{code}*{note}"
    return "".join(s + SEGMENT_TERMINATOR + "\n" for s in (isa, ta1, f"IEA*0*{interchange_control_number:09d}"))
