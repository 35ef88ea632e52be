"""The claims database tests' world (the demo world plus legs made with the models), reused here."""

from tests.claims_db.conftest import world  # noqa: F401
