"""Selectors over the founding data set: the right rows, a fixed number of queries.

Expected answers come from folding each project's events (``projects.domain``), not
from the read models the selectors query. The data set is set up once for the module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from projects import selectors
from projects.domain import ActivityStatus, MilestoneStatus, project
from registry import store
from registry.models import StoredEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set_restored")]

HK = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.date(2026, 11, 15)  # the day the data set describes
SAMPLE = "HKZJ-2025-TR-02"  # a closed trade project whose M2 was rescheduled once
MICROSECOND = dt.timedelta(microseconds=1)


@pytest.fixture(scope="module")
def folds(founding_set_restored: None, django_db_blocker: Any) -> dict[str, project.State]:
    """Every seed project as its events fold, by code."""
    with django_db_blocker.unblock():
        codes = StoredEvent.objects.filter(stream_type="project", version=1).values_list(
            "stream_id", flat=True
        )
        states = {c: project.fold(e.event for e in store.read_stream("project", c)) for c in codes}
    return dict(sorted(states.items()))


def milestone_keys(states: dict[str, project.State], keep: Any) -> list[str]:
    """Return ``CODE/ID`` of the folded milestones ``keep(m)`` accepts, by due date and key."""
    found = [
        (m.due_date, f"{code}/{m.milestone_id}")
        for code, state in states.items()
        for m in state.milestones
        if keep(m)
    ]
    return [key for _due, key in sorted(found)]


def at_10am(day: dt.date) -> dt.datetime:
    """Return the moment the seed loader dates a day's events (10:00 in Hong Kong)."""
    return dt.datetime.combine(day, dt.time(10), tzinfo=HK)


def touch(projects: Any) -> list[tuple[str, str, list[str], list[dt.date]]]:
    """Read what a project page shows: agreement, parties' names, milestone dates."""
    return [
        (
            p.code,
            p.agreement.title_en,
            [party.organisation.name_en for party in p.parties.all()],
            [m.due_date for m in p.milestones.all()],
        )
        for p in projects
    ]


# -- projects --------------------------------------------------------------------------


def test_project_list_returns_every_project_by_code(folds) -> None:
    assert [p.code for p in selectors.project_list()] == list(folds)


@pytest.mark.parametrize(
    ("option", "value", "keep"),
    [
        ("sector", "robotics", lambda s: s.sector.value == "robotics"),
        ("status", "implementation", lambda s: s.status is ActivityStatus.IMPLEMENTATION),
        ("agreement", "HKZJ-2025-TECH", lambda s: s.agreement_code == "HKZJ-2025-TECH"),
        ("organisation", "deepseek", lambda s: s.party("deepseek") is not None),
    ],
)
def test_project_list_filters(folds, option, value, keep) -> None:
    expected = [code for code, state in folds.items() if keep(state)]

    found = [p.code for p in selectors.project_list(**{option: value})]

    assert found == expected
    assert found


def test_listing_projects_costs_three_queries_however_many_there_are(
    folds, django_assert_num_queries
) -> None:
    with django_assert_num_queries(3):
        everything = touch(selectors.project_list())
    with django_assert_num_queries(3):
        one_sector = touch(selectors.project_list(sector="housing"))

    assert len(everything) == len(folds) >= 50
    assert 0 < len(one_sector) < len(everything)
    by_code = {code: (parties, dates) for code, _title, parties, dates in everything}
    for code, state in folds.items():
        parties, dates = by_code[code]
        assert len(parties) == len(state.parties)
        assert dates == sorted(m.due_date for m in state.milestones)


def test_project_get_returns_one_project_with_its_relations_loaded(
    folds, django_assert_num_queries
) -> None:
    with django_assert_num_queries(3):
        found = selectors.project_get(SAMPLE)
        ((code, agreement_title, parties, dates),) = touch([found])

    state = folds[SAMPLE]
    assert code == SAMPLE
    assert found.status == "closed"
    assert agreement_title.startswith("Co-operation Memorandum")
    assert len(parties) == len(state.parties)
    assert dates == [m.due_date for m in state.milestones]


def test_project_get_returns_none_for_an_unknown_code() -> None:
    assert selectors.project_get("HKZJ-2099-XX-99") is None


def test_a_streams_events_are_read_in_order() -> None:
    history = selectors.stream_events("project", SAMPLE)

    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert history[0].event.__class__.__name__ == "ProjectRegistered"
    assert history[-1].event.status is ActivityStatus.CLOSED


# -- milestones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 11, 15), dt.date(2026, 12, 31)),
        (dt.date(2027, 7, 1), dt.date(2027, 7, 31)),
    ],
)
def test_milestones_due_between_two_dates(folds, start, end, django_assert_num_queries) -> None:
    def due(m: project.Milestone) -> bool:
        return start <= m.due_date <= end

    with django_assert_num_queries(1):
        open_ones = [
            (m.key, m.project.title_en, m.responsible.name_en)
            for m in selectors.milestone_due_between(start, end)
        ]
    every_one = [m.key for m in selectors.milestone_due_between(start, end, open_only=False)]

    assert [key for key, _, _ in open_ones] == milestone_keys(folds, lambda m: due(m) and m.is_open)
    assert every_one == milestone_keys(folds, due)
    assert open_ones


@pytest.mark.parametrize("today", [dt.date(2025, 12, 1), TODAY, dt.date(2027, 12, 31)])
def test_overdue_milestones_are_the_open_ones_past_due(
    folds, today, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        overdue = [
            (m.key, m.days_overdue(today), m.project.code, m.responsible.id)
            for m in selectors.milestone_overdue(today)
        ]

    expected = milestone_keys(folds, lambda m: project.days_overdue(m, today) > 0)
    assert [key for key, *_ in overdue] == expected
    assert all(days > 0 for _key, days, *_ in overdue)
    assert overdue


# -- roll-ups --------------------------------------------------------------------------


def _tally(milestones: list[project.Milestone], today: dt.date) -> dict[str, Any]:
    return {
        "milestones_total": len(milestones),
        "milestones_met": sum(m.status is MilestoneStatus.MET for m in milestones),
        "milestones_overdue": sum(project.days_overdue(m, today) > 0 for m in milestones),
        "milestones_rescheduled": sum(m.reschedule_count > 0 for m in milestones),
        "days_slipped": sum(m.days_slipped for m in milestones) if milestones else None,
        "milestones_open": sum(m.is_open for m in milestones),
    }


def _rollup(states: list[project.State], group: Any, today: dt.date) -> dict[str, Any]:
    projects: dict[str, list[project.State]] = defaultdict(list)
    for state in states:
        projects[group(state)].append(state)
    return {
        key: {
            "project_count": len(members),
            **_tally([m for s in members for m in s.milestones], today),
        }
        for key, members in projects.items()
    }


def test_rollup_by_sector_counts_projects_and_milestones(folds, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        rows = selectors.rollup_by_sector(TODAY)

    assert {r.pop("sector"): r for r in rows} == _rollup(
        list(folds.values()), lambda s: s.sector.value, TODAY
    )
    assert len(rows) == 12


def test_rollup_by_agreement_counts_projects_and_milestones(
    folds, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        rows = selectors.rollup_by_agreement(TODAY)

    assert {r.pop("agreement_id"): r for r in rows} == _rollup(
        list(folds.values()), lambda s: s.agreement_code, TODAY
    )


# -- point in time ---------------------------------------------------------------------


def test_a_project_as_it_stood_on_a_past_day_of_business() -> None:
    before = selectors.project_as_of(
        SAMPLE, occurred_by=at_10am(dt.date(2025, 4, 24)) - MICROSECOND
    )
    registered = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2025, 4, 24)))
    before_move = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2025, 8, 4)))
    after_move = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2025, 8, 5)))
    claimed = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2025, 8, 28)))
    confirmed = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2025, 9, 3)))
    finishing = selectors.project_as_of(SAMPLE, occurred_by=at_10am(dt.date(2026, 3, 9)))
    now = selectors.project_as_of(SAMPLE)

    assert before is None
    assert registered.status is ActivityStatus.PIPELINE
    assert registered.milestone("M2").due_date == dt.date(2025, 8, 15)
    assert before_move.status is ActivityStatus.IMPLEMENTATION
    assert before_move.milestone("M2").due_date == dt.date(2025, 8, 15)
    assert after_move.milestone("M2").due_date == dt.date(2025, 8, 29)
    assert after_move.milestone("M2").reschedule_count == 1
    assert claimed.milestone("M2").pending_claim.claimant == "zj-doc"
    assert claimed.milestone("M2").status is MilestoneStatus.SCHEDULED
    assert confirmed.milestone("M2").status is MilestoneStatus.MET
    assert confirmed.milestone("M2").date_met == dt.date(2025, 8, 27)
    assert (finishing.status, finishing.actual_end) == (ActivityStatus.FINALISATION, None)
    assert (now.status, now.actual_end) == (ActivityStatus.CLOSED, dt.date(2026, 4, 30))


def test_a_project_as_the_registry_had_recorded_it() -> None:
    rows = StoredEvent.objects.filter(stream_type="project", stream_id=SAMPLE)
    registered = rows.get(version=1)
    moved = rows.get(event_type="MilestoneRescheduled")

    unknown = selectors.project_as_of(SAMPLE, as_of=registered.recorded_at - MICROSECOND)
    as_registered = selectors.project_as_of(SAMPLE, as_of=registered.recorded_at)
    before_move = selectors.project_as_of(SAMPLE, as_of=moved.recorded_at - MICROSECOND)
    after_move = selectors.project_as_of(SAMPLE, as_of=moved.recorded_at)

    assert unknown is None
    assert as_registered.status is ActivityStatus.PIPELINE
    assert before_move.milestone("M2").due_date == dt.date(2025, 8, 15)
    assert after_move.milestone("M2").due_date == dt.date(2025, 8, 29)


def test_recording_time_and_business_time_are_different_questions() -> None:
    # The seed set was recorded when it was loaded, long after the events it records.
    first_recorded = StoredEvent.objects.order_by("position").first().recorded_at
    late = dt.datetime(2025, 12, 31, tzinfo=HK)

    assert selectors.project_as_of(SAMPLE, occurred_by=late) is not None
    assert selectors.project_as_of(SAMPLE, as_of=first_recorded - MICROSECOND) is None
