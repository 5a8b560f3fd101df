"""The retry loop's sleeps: full jitter under a ceiling that doubles with each try."""

from __future__ import annotations

import pytest

from projects.application import handling


@pytest.mark.parametrize("attempt", range(1, handling.ATTEMPTS))
def test_retries_back_off_at_random_up_to_a_doubling_ceiling(attempt: int) -> None:
    ceiling = min(handling.BACKOFF_CAP, handling.BACKOFF_FIRST * 2 ** (attempt - 1))

    waits = [handling.backoff(attempt) for _ in range(200)]

    assert all(0 <= wait <= ceiling for wait in waits)
    assert max(waits) > ceiling / 2, "full jitter spreads the waits over the whole range"
