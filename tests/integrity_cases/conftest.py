"""Fixtures of the review-case tests: the claims tests' world (the demo, a provider's legs, two ready claims)."""

from tests.claims_db.conftest import billed, world  # noqa: F401 - the fixtures, shared
