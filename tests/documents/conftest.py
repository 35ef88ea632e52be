"""Fixtures of the documents tests: the booking tests' world (demo plus members with known facts), an agent, files."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt import clock
from tests.rides.conftest import DENVER, world  # noqa: F401 (fixture)

PDF = b"%PDF-1.4\n%demo certification\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
GIF = b"GIF89a" + bytes(24)
# An enrolled provider out of state (Cheyenne, Wyoming): an oncology centre no Colorado provider within 25 miles of
# Denver offers, so only the out-of-state rule and the 25-mile form apply.
CHEYENNE = {"name": "Example Cancer Center (demo)", "address": "1 Example Way", "zip": "82001", "service": "oncology",
            "provider_enrolled": True}


def today() -> dt.date:
    return clock.now().astimezone(DENVER).date()


@pytest.fixture
def actors(world):  # noqa: F811
    """The demo users as actors, by user name."""
    from nemt.services.platform.auth import actor_of

    def make(name: str):
        with world.uow() as uow:
            return actor_of(uow.users.by_username(name))

    return make
