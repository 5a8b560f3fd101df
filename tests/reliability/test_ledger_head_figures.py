"""The ledger-head run's "head busy" figure: the union of the holds, not their sum."""

from __future__ import annotations

import pytest

from reliability.ledger_head import covered


@pytest.mark.parametrize(
    ("intervals", "length"),
    [
        ([], 0.0),
        ([(0.0, 1.0)], 1.0),
        ([(0.0, 1.0), (2.0, 3.0)], 2.0),  # apart: both count
        ([(0.0, 1.0), (0.5, 1.5)], 1.5),  # overlapping: the overlap once
        ([(0.0, 3.0), (1.0, 2.0)], 3.0),  # one inside another
        ([(2.0, 3.0), (0.0, 1.0), (0.9, 2.1)], 3.0),  # in any order
    ],
)
def test_overlapping_holds_count_once(intervals: list[tuple[float, float]], length: float) -> None:
    assert covered(intervals) == pytest.approx(length)
