"""Claims on the database: build from completed legs' trip logs, export (837P, CMS-1500), replace, void, post 835
remittances, list denials.

The rules are :mod:`nemt.billing`'s (``build_claims``, the fee schedule, the 837P writer, pyx12, the CMS-1500
renderer, the 835 parser); the use cases read and write the rows around them through ``uow.claims``:

- :mod:`.build` — build claims, each leg once (also with two builders racing);
- :mod:`.export` — one 837P interchange (pyx12-valid) or one CMS-1500 PDF of the ready claims, each claim once;
- :mod:`.resubmit` — replacement (frequency 7) and void (frequency 8) of a sent claim;
- :mod:`.remittance` — post an 835, all or nothing, the same file twice changing nothing;
- :mod:`.profile` — the provider's billing profile;
- :mod:`.broker` — the State Contracted Broker pays a provider's broker-area claims (an 835) and reports them to the
  Department as encounters (837P, BHT06 = RP);
- :mod:`.acknowledge` — read a 999 / TA1 (the batch accepted or rejected, with the segment in error) and a 277CA
  (each claim accepted or rejected at the payer's front end), pyx12-checked, all or nothing;
- :mod:`.ack_samples` — the 999 and 277CA a payer would send for one of our batches (tests, demo);
- :mod:`.worklist` — the denied-claims worklist (835 denials, 277CA rejections) with reasons in words, filters,
  totals and CSV;
- :mod:`.queries` — one claim, the claims an actor may see, the denied ones with the payer's reasons.

Member data never goes into messages: claims are named by claim number, legs by opaque key. (This package replaces
the module ``nemt.services.claims``: its public names are re-exported here, for callers not yet moved.)
"""

from nemt.services.claims.ack_samples import SampleAcks, sample_acknowledgments
from nemt.services.claims.acknowledge import AckResult, read_acknowledgment
from nemt.services.claims.broker import BrokerPayment, EncounterFile, encounter_file, pay_provider
from nemt.services.claims.build import BuildResult, build_claims_for_provider
from nemt.services.claims.common import REVIEW_EDITS
from nemt.services.claims.export import FORMATS, ExportResult, export_claims
from nemt.services.claims.profile import billing_profile, set_billing_profile
from nemt.services.claims.queries import claim_view, denied_claims, get_claim, list_claims, recent_batches
from nemt.services.claims.remittance import RemitResult, post_remittance
from nemt.services.claims.resubmit import replace_claim, void_claim
from nemt.services.claims.worklist import Worklist, denied_worklist, worklist_csv

__all__ = [
    "FORMATS",
    "AckResult",
    "SampleAcks",
    "Worklist",
    "REVIEW_EDITS",
    "BrokerPayment",
    "BuildResult",
    "EncounterFile",
    "ExportResult",
    "RemitResult",
    "billing_profile",
    "build_claims_for_provider",
    "claim_view",
    "denied_claims",
    "denied_worklist",
    "encounter_file",
    "export_claims",
    "get_claim",
    "list_claims",
    "pay_provider",
    "read_acknowledgment",
    "recent_batches",
    "sample_acknowledgments",
    "post_remittance",
    "replace_claim",
    "set_billing_profile",
    "void_claim",
    "worklist_csv",
]
