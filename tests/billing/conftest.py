"""Fixtures of the claims tests."""

from __future__ import annotations

import pytest

from nemt.policy import load_policy


@pytest.fixture(scope="session")
def policy():
    return load_policy("CO")
