"""Properties of the stored log, for any input hypothesis draws (SQLite and PostgreSQL).

- After any sequence of commands run through ``services.execute``, the read models
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
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from projects import models as rm
from projects import services
from projects.domain import project
from projects.domain.errors import DomainError
from projects.domain.values import LocalisedText, PartyRole
from registry import store
from registry.ledger import HASHED_FIELDS
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.registry.factories import tamper
from tests.reliability.budget import examples
from tests.reliability.strategies import commands_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered_project() -> None:
    """The founders and the AI project with two parties and milestone M1."""
    builders.register_founders()
    builders.running_project()


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# -- the read models equal the fold of the log ------------------------------------------


def _texts(prefix: str, text: LocalisedText | None) -> dict[str, str]:
    return {
        f"{prefix}_en": text.en if text else "",
        f"{prefix}_zh_hant": text.zh_hant if text else "",
        f"{prefix}_zh_hans": text.zh_hans if text else "",
    }


def _claim(m: project.Milestone) -> dict[str, Any]:
    claim = m.pending_claim
    return {
        "claim_status": claim.claimed_status.value if claim else "",
        "claim_date": claim.claimed_date if claim else None,
        "claimant_id": claim.claimant if claim else None,
        "claim_note": (claim.note or "") if claim else "",
    }


def folded(state: project.State, version: int) -> dict[str, Any]:
    """Return the read-model rows that the folded ``state`` implies (timestamps aside)."""
    budget = state.budget
    return {
        "project": {
            "sector": state.sector.value,
            "dac_code": state.sector.dac_code,
            **_texts("title", state.titles),
            **_texts("description", state.descriptions),
            "status": state.status.value,
            "status_code": state.status_code,
            "status_since": state.status_since,
            "planned_start": state.planned_start,
            "planned_end": state.planned_end,
            "actual_start": state.actual_start,
            "actual_end": state.actual_end,
            "budget_amount": budget.amount if budget else None,
            "budget_currency": budget.currency.value if budget else "",
            "version": version,
        },
        "parties": {
            p.organisation_id: ([r.value for r in p.roles], PartyRole.LEAD in p.roles)
            for p in state.parties
        },
        "milestones": {
            m.milestone_id: {
                **_texts("title", m.title),
                "milestone_type": m.milestone_type.value,
                "due_date": m.due_date,
                "original_due_date": m.original_due_date,
                "responsible_id": m.responsible_party,
                "status": m.status.value,
                "date_met": m.date_met,
                "reschedule_count": m.reschedule_count,
                "days_slipped": m.days_slipped,
                **_claim(m),
                "cancellation_reason": m.cancellation_reason or "",
                "reschedules": [
                    (r.old_due_date, r.new_due_date, r.days, r.reason) for r in m.reschedules
                ],
            }
            for m in state.milestones
        },
    }


def projected(expected: dict[str, Any]) -> dict[str, Any]:
    """Return the same fields as ``expected``, read from the read models."""
    project_fields = list(expected["project"])
    milestones = {}
    for row in rm.Milestone.objects.filter(project_id=PROJECT).values():
        moves = rm.MilestoneReschedule.objects.filter(milestone_id=row["key"]).order_by("sequence")
        fields = [f for f in next(iter(expected["milestones"].values())) if f != "reschedules"]
        milestones[row["milestone_id"]] = {
            **{f: row[f] for f in fields},
            "reschedules": [(r.old_due_date, r.new_due_date, r.days, r.reason) for r in moves],
        }
    return {
        "project": rm.Project.objects.values(*project_fields).get(code=PROJECT),
        "parties": {
            p.organisation_id: (p.roles, p.is_lead)
            for p in rm.Participation.objects.filter(project_id=PROJECT)
        },
        "milestones": milestones,
    }


@examples("fold")
@given(data=st.data(), steps=st.integers(1, 15))
def test_the_read_models_always_equal_the_fold_of_the_log(
    registered_project: None, data: st.DataObject, steps: int
) -> None:
    with rolled_back():
        state = services.load_state(project, PROJECT)
        for _ in range(steps):
            with contextlib.suppress(DomainError):
                builders.run(data.draw(commands_for(state)))
            state = services.load_state(project, PROJECT)  # the fold of the stored log
        expected = folded(state, store.stream_version(project.STREAM_TYPE, PROJECT))

        assert projected(expected) == expected


# -- any changed field is found where it was changed ------------------------------------


def _changed(field: str, value: Any, nudge: int) -> Any:
    """Return a different value for ``field`` (``nudge`` picks which change)."""
    if field == "position":
        return value + 10_000
    if field in ("version", "schema_version"):
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
