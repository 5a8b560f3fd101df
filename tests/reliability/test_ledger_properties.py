"""Properties of the stored log, for any input hypothesis draws (SQLite and PostgreSQL).

- After any sequence of commands run through the application layer, the read models
  equal what folding the project's events from the log gives.
- Any single changed field of any stored event is found by ``verify_ledger``, at the
  position of the event that was changed.

Each example runs in a savepoint of the test's transaction and is rolled back, so all
examples start from the same registered project.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from projects.application import unit_of_work
from projects.domain import project
from projects.domain.errors import DomainError
from registry import store
from registry.ledger import HASHED_FIELDS
from registry.models import StoredEvent
from testkit.budget import examples
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.projects.test_projections import folded_project, projected_project
from tests.registry.factories import tamper
from tests.reliability.strategies import commands_for

pytestmark = pytest.mark.django_db


def _folded(code: str) -> project.State | None:
    """Return the project as the fold of its whole stream in the log (no snapshot)."""
    return project.fold(e.event for e in store.read_stream(project.STREAM_TYPE, code))


@pytest.fixture
def registered_project() -> None:
    """The founders and the AI project with two parties and milestone M1."""
    builders.register_founders()
    builders.running_project()


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a unit of work (a savepoint of the test's) that is rolled back."""
    with unit_of_work() as unit:
        yield
        unit.rollback()


# -- the read models equal the fold of the log ------------------------------------------


@examples("fold")
@given(data=st.data(), steps=st.integers(1, 15))
def test_the_read_models_always_equal_the_fold_of_the_log(
    registered_project: None, data: st.DataObject, steps: int
) -> None:
    with rolled_back():
        state = _folded(PROJECT)
        for _ in range(steps):
            with contextlib.suppress(DomainError):
                builders.run(data.draw(commands_for(state)))
            state = _folded(PROJECT)

        assert projected_project(PROJECT) == folded_project(PROJECT)  # fold of the stored log


# -- any changed field is found where it was changed ------------------------------------


def _changed(field: str, value: Any, nudge: int) -> Any:
    """Return a different value for ``field`` (``nudge`` picks which change)."""
    if field == "position":
        return value + 10_000
    if field == "version":  # beyond every version of the stream: (stream, version) is unique
        return value + 1_000 + nudge % 50
    if field == "schema_version":
        return value + 1 + nudge % 50
    if field in ("occurred_at", "recorded_at"):
        return value + dt.timedelta(microseconds=1 + nudge)
    if field in ("prev_hash", "hash"):
        index = nudge % 64
        flipped = "0" if value[index] != "0" else "1"
        return value[:index] + flipped + value[index + 1 :]
    if field in ("data", "metadata"):
        keys = sorted(value)
        key = keys[nudge % len(keys)]
        old = value[key]
        new = old + "x" if isinstance(old, str) else [old] if old is not None else "x"
        return {**value, key: new}
    return value + "x"  # stream_type, stream_id, event_type


@examples("tamper")
@given(
    position=st.integers(1, 12),
    field=st.sampled_from((*HASHED_FIELDS, "hash")),
    nudge=st.integers(0, 10**6),
)
def test_any_single_changed_field_is_found_at_its_position(
    registered_project: None, position: int, field: str, nudge: int
) -> None:
    total = StoredEvent.objects.count()
    position = 1 + (position - 1) % total
    with rolled_back():
        current = StoredEvent.objects.values(field).get(position=position)[field]
        tamper(position, **{field: _changed(field, current, nudge)})

        with pytest.raises(CommandError, match=rf"Ledger broken at position {position}\b"):
            call_command("verify_ledger", "--no-drift", stdout=io.StringIO(), stderr=io.StringIO())
