"""How many examples property tests try: a few in ``make test``, many in ``make reliability``.

``make reliability`` sets ``HYPOTHESIS_PROFILE=reliability``; anything else is the fast
budget that keeps ``make test`` quick. Deadlines are off: the examples that touch the
database take as long as the shared machine lets them, and time is not what is tested.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "reliability"


def examples(fast: int, long: int) -> settings:
    """Return hypothesis settings trying ``fast`` examples, or ``long`` in the long run."""
    return settings(
        max_examples=long if LONG else fast,
        deadline=None,
        # The database tests roll each example back inside one test's transaction.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
