"""One parser from outside data to a command: strict, and naming every field at fault."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.application import InvalidInput, parse
from projects.domain import ClaimMilestone, RescheduleMilestone
from projects.domain.errors import TextTooLong
from projects.domain.values import ClaimedStatus

CLAIM_NAMES = {"outcome": "claimed_status", "date": "claimed_date", "note": "note"}
FIXED = {"project_code": "HKZJ-2025-AI-01", "milestone_id": "M1", "claimant": "deepseek"}


def _claim(body: object) -> ClaimMilestone:
    return parse(ClaimMilestone, body, names=CLAIM_NAMES, fixed=FIXED)


def test_outside_names_and_fixed_fields_make_the_command() -> None:
    command = _claim({"outcome": "met", "date": "2025-08-30", "note": "Delivered"})

    assert command == ClaimMilestone(
        "HKZJ-2025-AI-01", "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 30), "Delivered"
    )


def test_every_field_at_fault_is_named_by_the_outsides_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        _claim({"outcome": "done", "note": 5, "claimant": "hk-hkust"})

    assert {error.field for error in refused.value.errors} == {
        "outcome",
        "note",
        "claimant",
        "date",
    }
    missing = next(e for e in refused.value.errors if e.field == "date")
    assert missing.detail == "is required"


@pytest.mark.parametrize("day", ["2026-1-1", "20260101", "2026-W01-1", "2026-01-0１", 20260101])
def test_a_date_is_yyyy_mm_dd_exactly(day: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        _claim({"outcome": "met", "date": day})

    assert [error.field for error in refused.value.errors] == ["date"]


def test_a_field_the_door_fixes_cannot_come_from_outside() -> None:
    command = RescheduleMilestone("HKZJ-2025-AI-01", "M1", dt.date(2025, 9, 30), "Late")
    body = {"milestone_id": "M1", "new_due_date": "2025-09-30", "reason": "Late"}

    assert parse(RescheduleMilestone, body, fixed={"project_code": "HKZJ-2025-AI-01"}) == command
    with pytest.raises(InvalidInput) as refused:
        parse(
            RescheduleMilestone,
            {**body, "project_code": "HKZJ-2025-AI-99"},
            fixed={"project_code": "HKZJ-2025-AI-01"},
        )
    assert [error.field for error in refused.value.errors] == ["project_code"]


def test_a_value_beyond_a_domain_limit_is_the_domains_own_refusal_by_the_outsides_name() -> None:
    with pytest.raises(TextTooLong) as refused:
        _claim({"outcome": "met", "date": "2025-08-30", "note": "x" * 2001})

    assert refused.value.field == "note"


@pytest.mark.parametrize("body", [["outcome", "met"], "met", None, 7])
def test_anything_but_an_object_is_refused_as_a_whole(body: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        _claim(body)

    assert [error.field for error in refused.value.errors] == [None]
