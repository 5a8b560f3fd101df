"""Fixtures of the webhook tests: the API tests' world, a real receiver, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from testkit.receiver import Receiver
from tests.api.conftest import (  # noqa: F401  (fixtures shared with the API tests)
    ApiClient,
    _fresh_throttles,
    api_world,
    as_deepseek,
    as_staff,
    as_unitree,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 that answers 204."""
    with Receiver() as running:
        yield running


class Clock:
    """A clock the test moves by hand: the scan's retries and its disabling window."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()
