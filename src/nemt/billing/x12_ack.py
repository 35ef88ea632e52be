"""What the acknowledgment readers and writers share (999, TA1, 277CA): the segments of an interchange, the error
that names the segment in error, and the envelope our sample writers put around a transaction.

A clearinghouse or payer answers every 837P interchange we send: a TA1 when the interchange envelope itself is bad,
a 999 (005010X231A1) saying whether each functional group and transaction set was syntactically accepted, then a
277CA (005010X214) saying, claim by claim, whether the payer's front end took the claim into adjudication. The
readers here turn those files into plain values; :mod:`nemt.services.claims.acknowledge` marks the batches and
claims. No payer is reachable from here, so the writers make the sample files the tests (and a demo) read — each is
checked by pyx12 like any file we read.
"""

from __future__ import annotations

import datetime as dt

from nemt.billing.x12_835 import RemittanceError, _Segment, _split
from nemt.billing.x12_837p import COMPONENT_SEPARATOR, REPETITION_SEPARATOR, SEGMENT_TERMINATOR, _text
from nemt.contracts import ContractError

__all__ = ["AckError", "Segment", "envelope", "segments_of"]

Segment = _Segment


class AckError(ContractError):
    """A malformed acknowledgment: ``path`` is ``segment <n> (<id>)`` (1-based, counting from ISA)."""

    def __init__(self, position: int, segment_id: str, message: str):
        self.position, self.segment_id = position, segment_id
        super().__init__(f"segment {position} ({segment_id or '?'})", message)


def segments_of(text: str) -> list[Segment]:
    """The interchange's segments (delimiters read from the ISA), or :class:`AckError` naming the ISA."""
    try:
        return _split(text)
    except RemittanceError as exc:
        raise AckError(exc.position, exc.segment_id, exc.message) from None


def fail(segment: Segment, message: str) -> AckError:
    return AckError(segment.position, segment.id, message)


def required(segment: Segment, index: int, what: str) -> str:
    value = segment.get(index).strip()
    if not value:
        raise fail(segment, f"{segment.id}{index:02d} ({what}) is required")
    return value


def envelope(body: list[str], *, functional_id: str, version: str, sender: str, receiver: str,
             interchange_control_number: int, group_control_number: int, created_at: dt.datetime) -> str:
    """ISA / GS around one transaction set's segments (ST … SE), as our 837P writer writes its envelope."""
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{_text(sender, 15):<15}*ZZ*{_text(receiver, 15):<15}"
           f"*{created_at:%y%m%d}*{created_at:%H%M}*{REPETITION_SEPARATOR}*00501*{interchange_control_number:09d}*0*T*"
           f"{COMPONENT_SEPARATOR}")
    gs = (f"GS*{functional_id}*{_text(sender, 15)}*{_text(receiver, 15)}*{created_at:%Y%m%d}*{created_at:%H%M}"
          f"*{group_control_number}*X*{version}")
    segments = [isa, gs, *body, f"GE*1*{group_control_number}", f"IEA*1*{interchange_control_number:09d}"]
    return "".join(segment + SEGMENT_TERMINATOR + "\n" for segment in segments)


def validate_acknowledgment(text: str) -> tuple[bool, list[str]]:
    """pyx12's verdict on an acknowledgment file (:func:`nemt.billing.x12_validate.validate_x12`).

    pyx12 4.0's maps have no TA1 and require a functional group in every interchange, so a TA1 is taken out before
    pyx12 reads the rest; an interchange that holds only TA1s (no functional group, IEA01 = 0, as the interchange
    control structure allows) has no group for pyx12 to read and is checked here: ISA complete, IEA01 = 0, IEA02 =
    ISA13, and nothing but TA1 segments between them (the TA1's own elements are checked by the reader)."""
    from nemt.billing.x12_validate import validate_x12

    segments = segments_of(text)
    if not any(s.id == "TA1" for s in segments):
        return validate_x12(text)
    if any(s.id == "GS" for s in segments):
        terminator, separator = text.lstrip()[105], text.lstrip()[3]
        kept = [part for part in text.split(terminator) if not part.strip().startswith("TA1" + separator)]
        return validate_x12(terminator.join(kept))
    isa, iea = segments[0], segments[-1]
    problems = []
    if len(isa.elements) != 17:
        problems.append("segment 1 (ISA): the ISA must have 16 elements")
    if iea.id != "IEA" or iea.get(1).strip() != "0" or iea.get(2).strip() != isa.get(13).strip():
        problems.append(f"segment {iea.position} ({iea.id}): IEA01 must be 0 and IEA02 the ISA13 control number")
    problems += [f"segment {s.position} ({s.id}): only TA1 segments may stand outside a functional group"
                 for s in segments[1:-1] if s.id != "TA1"]
    return not problems, problems
