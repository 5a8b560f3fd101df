"""The retry loop's sleeps: full jitter under a ceiling that doubles with each try."""

from __future__ import annotations

import pytest

from projects import services


@pytest.mark.parametrize("attempt", range(1, services.ATTEMPTS))
def test_retries_back_off_at_random_up_to_a_doubling_ceiling(attempt: int) -> None:
    ceiling = min(services.BACKOFF_CAP, services.BACKOFF_FIRST * 2 ** (attempt - 1))

    waits = [services.backoff(attempt) for _ in range(200)]

    assert all(0 <= wait <= ceiling for wait in waits)
    assert max(waits) > ceiling / 2, "full jitter spreads the waits over the whole range"
