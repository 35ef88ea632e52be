"""Program integrity for the Department's auditors (issue 15): review cases on transportation providers — open, hold
the provider's claims from export (a payment suspension), note findings, release or deny — and the provider
analytics that point at which provider to review."""

from nemt.services.integrity.cases import (
    CaseView,
    HoldNotice,
    deny_case,
    export_hold,
    hold_case,
    list_cases,
    note_case,
    open_case,
    read_case,
    release_case,
    suspension_rule,
)

__all__ = ["CaseView", "HoldNotice", "deny_case", "export_hold", "hold_case", "list_cases", "note_case", "open_case",
           "read_case", "release_case", "suspension_rule"]
