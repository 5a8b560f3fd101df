"""Building a digest takes the same number of queries however many projects there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import selectors
from projects.domain.values import PartyRole
from projects.models import Project
from projects.notifications import digest, plan
from projects.notifications.recipients import Recipient, recipient_list
from registry import treeheads
from tests.notifications.world import World, contact
from tests.projects.builders import AddParty, register_project, run, schedule


def _queries_to_build(person: Recipient) -> int:
    now = timezone.now()
    shared = digest.shared([person.recipient_id], week=plan.digest_week(now))
    with CaptureQueriesContext(connection) as queries:
        digest.build_digest(
            person, week=plan.digest_week(now), today=timezone.localdate(), now=now, run=shared
        )
    return len(queries)


def _more_projects(count: int) -> None:
    for n in range(count):
        code = f"HKZJ-2025-AI-{n + 10:02d}"
        register_project(code)
        run(AddParty(code, "deepseek", (PartyRole.LEAD,)))
        schedule("M1", code=code)
        schedule("M2", code=code)


@pytest.mark.django_db
def test_building_a_digest_takes_the_same_queries_however_many_projects(world: World) -> None:
    treeheads.publish(tree_size=1)  # the signing key is known, as in every run but the first
    people = {p.recipient_id: p for p in recipient_list()}
    officer = people[world.recipient(world.officer)]
    partner = people[world.recipient(world.deepseek)]
    before = (_queries_to_build(officer), _queries_to_build(partner))
    projects_before = Project.objects.count()

    _more_projects(6)

    after = (_queries_to_build(officer), _queries_to_build(partner))
    assert Project.objects.count() == projects_before + 6
    # The officer's digest signs the tree head at its position (7 queries), the partner's
    # finds it published (1) and reads which projects organisations take part in (1).
    assert before == after == (13, 8)


@pytest.mark.django_db
def test_a_run_reads_once_whatever_the_scopes_of_its_digests(world: World) -> None:
    treeheads.publish(tree_size=1)
    people = {p.recipient_id: p for p in recipient_list()}
    now = timezone.now()
    week, today = plan.digest_week(now), timezone.localdate()
    run = digest.shared(list(people), week=week)
    counts = []
    for who in (world.officer, world.deepseek, world.unitree, world.itib):
        with CaptureQueriesContext(connection) as queries:
            digest.build_digest(
                people[world.recipient(who)], week=week, today=today, now=now, run=run
            )
        counts.append(len(queries))

    # The first digest reads what the run tells (13 queries, signing the head); the first
    # partner's, which projects organisations take part in; the others nothing.
    assert counts == [13, 1, 0, 0]


@pytest.mark.django_db
def test_a_scope_cut_from_the_run_is_what_its_own_queries_would_find(world: World) -> None:
    people = {p.recipient_id: p for p in recipient_list()}
    now = timezone.now()
    week, today = plan.digest_week(now), timezone.localdate()
    run = digest.shared(list(people), week=week)
    digest.build_digest(
        people[world.recipient(world.officer)], week=week, today=today, now=now, run=run
    )
    for who in (world.deepseek, world.unitree, world.itib):
        person = people[world.recipient(who)]
        built = digest.build_digest(person, week=week, today=today, now=now, run=run)
        projects = person.scope()
        codes = set(projects.values_list("code", flat=True))
        overdue = selectors.milestone_overdue(today).filter(project__in=codes)
        assert built.overdue.rows == list(overdue)
        assert {row["code"] for row in run.gathered[today, now].projects.rows} >= codes
        assert built.by_sector == selectors.rollup_by_sector(today, projects=projects)
        assert built.by_agreement == selectors.rollup_by_agreement(today, projects=projects)


@pytest.mark.django_db
def test_readers_of_the_same_projects_share_what_a_run_gathered(world: World) -> None:

    colleague = contact("deepseek", "Zhao Lei", "zhao.lei@deepseek.example.com", "en")
    people = {p.recipient_id: p for p in recipient_list()}
    now = timezone.now()
    week, today = plan.digest_week(now), timezone.localdate()
    run = digest.shared(list(people), week=week)
    first = digest.build_digest(
        people[world.recipient(world.deepseek)], week=week, today=today, now=now, run=run
    )

    with CaptureQueriesContext(connection) as queries:
        second = digest.build_digest(
            people[f"contact:{colleague.pk}"], week=week, today=today, now=now, run=run
        )

    assert len(queries) == 0
    assert (second.overdue, second.ledger_position) == (first.overdue, first.ledger_position)
    assert second.recipient.name == "Zhao Lei"
