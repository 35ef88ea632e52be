"""Claims on the database: build from completed legs' trip logs, export (837P, CMS-1500), replace, void, post 835
remittances, list denials.

The rules are :mod:`nemt.billing`'s (``build_claims``, the fee schedule, the 837P writer, pyx12, the CMS-1500
renderer, the 835 parser); the use cases read and write the rows around them through ``uow.claims``:

- :mod:`.build` — build claims, each leg once (also with two builders racing);
- :mod:`.export` — one 837P interchange (pyx12-valid) or one CMS-1500 PDF of the ready claims, each claim once;
- :mod:`.resubmit` — replacement (frequency 7) and void (frequency 8) of a sent claim;
- :mod:`.remittance` — post an 835, all or nothing, the same file twice changing nothing;
- :mod:`.profile` — the provider's billing profile;
- :mod:`.queries` — one claim, the claims an actor may see, the denied ones with the payer's reasons.

Member data never goes into messages: claims are named by claim number, legs by opaque key. (This package replaces
the module ``nemt.services.claims``: its public names are re-exported here, for callers not yet moved.)
"""

from nemt.services.claims.build import BuildResult, build_claims_for_provider
from nemt.services.claims.common import REVIEW_EDITS
from nemt.services.claims.export import FORMATS, ExportResult, export_claims
from nemt.services.claims.profile import billing_profile, set_billing_profile
from nemt.services.claims.queries import claim_view, denied_claims, get_claim, list_claims
from nemt.services.claims.remittance import RemitResult, post_remittance
from nemt.services.claims.resubmit import replace_claim, void_claim

__all__ = [
    "FORMATS",
    "REVIEW_EDITS",
    "BuildResult",
    "ExportResult",
    "RemitResult",
    "billing_profile",
    "build_claims_for_provider",
    "claim_view",
    "denied_claims",
    "export_claims",
    "get_claim",
    "list_claims",
    "post_remittance",
    "replace_claim",
    "set_billing_profile",
    "void_claim",
]
