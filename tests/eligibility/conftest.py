"""The booking tests' world of members (tests/rides/conftest.py): the payer's answers are tested on its rides."""

from tests.rides.conftest import world  # noqa: F401 - a fixture, used by name
