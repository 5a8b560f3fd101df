"""``registry.rowbuffer``: rows kept in memory and written in bulk end as rows written at once.

A replay writes read models through :class:`BufferedRows`, which holds at most
``capacity`` rows and lets the least recently used go (written) when it must. Any
sequence of inserts, updates (plain, ``Add``, ``IfNull``) and deletes, with a capacity
small enough that rows are let go and read back many times, leaves the table exactly as
the same operations run one statement each (``DirectRows``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.guards import projecting
from registry.rowbuffer import BufferedRows, RowExists
from registry.rows import Add, DirectRows, IfNull
from tests.registry.testapp.models import Counter

pytestmark = pytest.mark.django_db

NAMES = [f"c{i}" for i in range(12)]

operation = st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(NAMES), st.integers(0, 99)),
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.integers(-50, 50)),
    st.tuples(st.just("set"), st.sampled_from(NAMES), st.integers(0, 99)),
    st.tuples(st.just("label_if_null"), st.sampled_from(NAMES), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.sampled_from(NAMES), st.just(0)),
)


def _apply(rows: Any, op: tuple[str, str, int], existing: set[str]) -> None:
    kind, name, number = op
    if kind == "insert":
        if name in existing:
            return  # both would refuse it (checked apart below)
        rows.insert(Counter, name=name, label=f"L{number}", total=Decimal(number))
        existing.add(name)
    elif kind == "add":
        rows.update(Counter, name, total=Add(Decimal(number)), events=Add(1))
    elif kind == "set":
        rows.update(Counter, name, label=f"S{number}")
    elif kind == "label_if_null":
        rows.update(Counter, name, label=IfNull(f"N{number}"))
    else:
        rows.delete(Counter, name)
        existing.discard(name)


def _table() -> list[tuple[Any, ...]]:
    return list(Counter.objects.order_by("name").values_list("name", "label", "total", "events"))


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=60), capacity=st.integers(1, 5))
def test_buffered_rows_end_as_rows_written_at_once(
    ops: list[tuple[str, str, int]], capacity: int
) -> None:
    with projecting():  # what a projector may do
        Counter.objects.all().delete()
        existing: set[str] = set()
        for op in ops:
            _apply(DirectRows(), op, existing)
        expected = _table()

        Counter.objects.all().delete()
        buffered = BufferedRows([Counter], capacity=capacity, empty=True)
        existing = set()
        for op in ops:
            _apply(buffered, op, existing)
        buffered.flush()

    assert _table() == expected


def test_a_row_inserted_twice_is_refused_while_held() -> None:
    buffered = BufferedRows([Counter], capacity=3, empty=True)
    with projecting():
        buffered.insert(Counter, name="a", label="A")
        with pytest.raises(RowExists):
            buffered.insert(Counter, name="a", label="B")
