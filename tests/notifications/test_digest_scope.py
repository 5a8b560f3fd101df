"""A digest's reach: on the seeded data, each partner contact reads of its own projects only."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from projects.application import Actor, handle
from projects.domain.following import ChooseDigestScope, FollowProject
from projects.models import Participation
from projects.notifications import jobs
from projects.notifications.recipients import recipient_get, recipient_list
from projects.roles import LIAISON_OFFICERS

CODE = re.compile(r"HKZJ-\d{4}-[A-Z]+-\d{2}")


@pytest.mark.django_db
@pytest.mark.usefixtures("founding_set")
def test_no_seeded_contact_reads_of_another_organisations_project() -> None:
    taking_part: dict[str, set[str]] = {}
    for organisation_id, code in Participation.objects.values_list("organisation_id", "project_id"):
        taking_part.setdefault(organisation_id, set()).add(code)
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
    assert all(named[p.recipient_id] for p in contacts if p.organisation_id in taking_part)
    assert len({p.language for p in contacts}) == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("founding_set")
def test_an_officer_who_chose_my_projects_reads_of_those_only() -> None:
    officer = User.objects.create_user(
        "officer", "officer@example.org", "a-long-password", is_staff=True
    )
    officer.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
    stream = f"staff:{officer.pk}"
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
