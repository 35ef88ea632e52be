"""Ending a user's access everywhere at once: their web sessions, their API tokens and their unused set-password
links. Disabling a user, resetting their password and deactivating their organization all do this, so that what
the administrator decided holds from the next request on (45 CFR 164.312(a)(1) access control).

The sessions and tokens themselves are the business of ``sessions`` and ``auth``; this module only calls them.
"""

from __future__ import annotations

from nemt import clock
from nemt.services.platform import auth, password_links, sessions
from nemt.store.models import Organization, User


def end_sign_ins(uow, user: User, reason: str) -> None:
    """End ``user``'s sessions (``reason`` is recorded on them) and revoke their API tokens: they sign in again."""
    sessions.end_all_for_user(uow, user, reason)
    auth.revoke_all_tokens(uow, user)


def end_access(uow, user: User, reason: str) -> None:
    """End ``user``'s sessions and API tokens, and void their unused set-password links."""
    end_sign_ins(uow, user, reason)
    password_links.void(uow, user)


def end_organization_access(uow, organization: Organization, reason: str) -> dict[str, int]:
    """End the sessions and API tokens, and void the unused set-password links, of every user of ``organization``
    (deactivated): three statements, however many users it has. Returns the counts, for the caller's audit record
    (one record for the organization, not one per user). The caller commits."""
    now = clock.now()
    return {"sessions": uow.accounts.end_sessions_of_organization(organization.id, now, reason[:40]),
            "tokens": uow.accounts.revoke_tokens_of_organization(organization.id, now),
            "links": uow.admin.void_links_of_organization(organization.id, now)}
