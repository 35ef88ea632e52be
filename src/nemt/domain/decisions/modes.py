"""The mode ladder: the least costly mode the member's written certifications support."""

from __future__ import annotations

from dataclasses import dataclass

from nemt.domain.decisions.values import Finding
from nemt.domain.decisions.words import joined, mode_words, need_words
from nemt.policy import Policy


@dataclass(frozen=True)
class ModeChoice:
    mode: str
    findings: tuple[Finding, ...]


def select_mode(requested: str, needs: frozenset[str] | set[str], policy: Policy,
                authorized: frozenset[str] = frozenset()) -> ModeChoice:
    """The least costly mode suitable to the member's written certifications (Payment for Covered Services: "Payment
    will only be made for the least expensive mode suitable to the member's condition"; the section of each mode).

    Read from the policy's ``modes`` tables: a mode whose ``needs`` are all on file is approved as requested (and
    adds ``prior-authorization-required`` when the mode has ``prior_authorization``, unless a prior authorization on
    file covers the mode on the date of service: ``authorized``, Train, Air and Out-of-State Travel). Otherwise walk
    ``downgrade_to`` (ground ambulance -> stretcher van -> wheelchair van -> mobility/ambulatory) to the first mode
    whose needs are on file, adding ``mode-downgraded``; when no mode on the way is supported (the basic statement
    that the member cannot use less costly modes is missing, or an air/train certification is), the request waits
    for the certification: ``certification-required`` with the requested mode.
    """

    def missing(mode: str) -> list[str]:
        return [n for n in policy.mode(mode)["needs"] if n not in needs]

    def section(mode: str) -> tuple[str, ...]:
        """The one section of the mode in question (its ``cite``), when the policy names one."""
        cite = policy.mode(mode).get("cite")
        return (str(cite),) if cite else ()

    if not missing(requested):
        findings = (Finding("prior-authorization-required", {"what": mode_words(requested).capitalize() + " travel"},
                            sections=section(requested)),) if policy.mode(requested).get("prior_authorization") \
            and requested not in authorized else ()
        return ModeChoice(requested, findings)
    mode = requested
    seen = {mode}
    while missing(mode) and policy.mode(mode).get("downgrade_to") and policy.mode(mode)["downgrade_to"] not in seen:
        mode = policy.mode(mode)["downgrade_to"]
        seen.add(mode)
    if missing(mode):
        lacking = missing(requested)
        return ModeChoice(requested, (Finding("certification-required", {
            "mode": mode_words(requested), "missing": joined(map(need_words, lacking))}, sections=section(requested)),))
    return ModeChoice(mode, (Finding("mode-downgraded", {
        "mode": mode_words(mode), "requested": mode_words(requested)},
        sections=("Payment for Covered Services", *section(requested))),))
