"""How many examples property tests try: a few in ``make test``, many in ``make reliability``.

``make reliability`` sets ``HYPOTHESIS_PROFILE=reliability``; anything else is the fast
budget that keeps ``make test`` quick. Deadlines are off: the examples that touch the
database take as long as the shared machine lets them, and time is not what is tested.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "reliability"

# name: (what is tried, examples in make test, examples in make reliability)
BUDGETS: dict[str, tuple[str, int, int]] = {
    "sequences": ("random command sequences (0-40 commands) keep the project invariants", 40, 2000),
    "round-trip": ("each registered event type survives the stored JSON round trip", 10, 200),
    "fold": ("read models equal the fold of the log after 1-15 commands", 20, 300),
    "tamper": ("one changed field of one stored event is found at its position", 20, 400),
    "schemathesis": (
        "requests generated from the OpenAPI schema, per API operation, as a partner: no "
        "5xx, each answer as the schema declares it",
        25,
        800,
    ),
    "isolation": (
        "requests of one partner over every API operation with the other partner's ids, "
        "codes, cursors, search strings and tokens: nothing of theirs, refusals like a "
        "missing object",
        30,
        1500,
    ),
}


def examples(name: str) -> settings:
    """Return hypothesis settings with the budget called ``name`` for this run."""
    _, fast, long = BUDGETS[name]
    return settings(
        max_examples=long if LONG else fast,
        deadline=None,
        # The database tests roll each example back inside one test's transaction.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def describe(*names: str) -> list[str]:
    """Return one line per budget (those named, or all): what is tried, how many examples."""
    return [
        f"{what}: {long:,} examples ({fast} in `make test`)"
        for name, (what, fast, long) in BUDGETS.items()
        if not names or name in names
    ]
