"""A digest's reach on the seeded data: each partner contact reads of its own projects only,
and the seed load itself is no news."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from projects.application import Actor, handle
from projects.domain import MilestoneType, ScheduleMilestone
from projects.domain.errors import DomainError
from projects.domain.following import ChooseDigestScope, FollowProject
from projects.models import Participation, Project
from projects.notifications import jobs
from projects.notifications.recipients import recipient_get, recipient_list
from projects.roles import LIAISON_OFFICERS
from tests.projects.builders import run, text

CODE = re.compile(r"HKZJ-\d{4}-[A-Z]+-\d{2}")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set")]


def _news_for_every_organisation() -> None:
    """Schedule a milestone now in a project of every organisation taking part."""
    done: set[str] = set()
    parts = Participation.objects.order_by("project_id").values_list(
        "organisation_id", "project_id"
    )
    for organisation_id, code in parts:
        if organisation_id in done:
            continue
        project = Project.objects.get(code=code)
        command = ScheduleMilestone(
            code,
            f"M9{len(done)}",
            text("Scope check"),
            MilestoneType.REPORTING,
            project.planned_end,
            organisation_id,
        )
        try:
            run(command, today=timezone.localdate())
        except DomainError:  # a closed project: try the organisation's next one
            continue
        done.add(organisation_id)


def test_no_seeded_contact_reads_of_another_organisations_project() -> None:
    taking_part: dict[str, set[str]] = {}
    for organisation_id, code in Participation.objects.values_list("organisation_id", "project_id"):
        taking_part.setdefault(organisation_id, set()).add(code)
    _news_for_every_organisation()
    contacts = [p for p in recipient_list() if p.organisation_id is not None]

    named = {}
    for person in contacts:
        rendered = jobs.digest_preview(person)
        named[person.recipient_id] = set(CODE.findall(rendered.text + rendered.html))
        assert named[person.recipient_id] <= taking_part.get(person.organisation_id, set()), (
            person.organisation_id
        )

    assert len(contacts) >= 42  # every organisation has one or two
    # Every contact of an organisation taking part reads of at least one of its projects.
    assert [
        p.organisation_id
        for p in contacts
        if p.organisation_id in taking_part and not named[p.recipient_id]
    ] == []
    assert len({p.language for p in contacts}) == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("founding_set")
def test_an_officer_who_chose_my_projects_reads_of_those_only() -> None:
    officer = User.objects.create_user(
        "officer", "officer@example.org", "a-long-password", is_staff=True
    )
    officer.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
    stream = f"staff:{officer.pk}"
    _news_for_every_organisation()  # a seed load is no news: make some this week
    everything = jobs.digest_preview(recipient_get(stream))  # type: ignore[arg-type]
    for code in ("HKZJ-2025-AI-01", "HKZJ-2025-RB-01"):
        handle(FollowProject(stream, code), actor=Actor.officer(officer.pk))
    handle(ChooseDigestScope(stream, True), actor=Actor.officer(officer.pk))

    person = recipient_get(stream)
    assert person is not None
    mine = jobs.digest_preview(person)

    assert len(set(CODE.findall(everything.text))) > 2
    assert set(CODE.findall(mine.text + mine.html)) <= {"HKZJ-2025-AI-01", "HKZJ-2025-RB-01"}
    assert "The projects you follow: HKZJ-2025-AI-01, HKZJ-2025-RB-01" in mine.text


def test_a_seed_load_is_no_news_so_every_first_digest_has_three_lines() -> None:
    next_week = timezone.localdate() + dt.timedelta(days=7)

    report = jobs.send_digests(today=next_week, dry_run=True)

    assert report.planned >= 42
    nothing_new = (": nothing new; ", "：沒有新動態；", "：没有新动态；")
    assert all(any(words in line for words in nothing_new) for line in report.listed)
    english = next(p for p in recipient_list() if p.language == "en")
    body = jobs.digest_preview(english).text.split("\n-- \n")[0].strip().splitlines()
    assert body[1].endswith("takes part")  # the contact's scope, then the three lines
    assert body[3].startswith("Nothing new: nothing happened from ")
    assert [line.split(":")[0] for line in body[4:]] == [
        "Open milestones",
        "Overdue milestones",
        "Due in the next 14 days",
    ]
