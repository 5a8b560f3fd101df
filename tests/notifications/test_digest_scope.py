"""A digest's reach: on the seeded data, each partner contact reads of its own projects only."""

from __future__ import annotations

import re

import pytest

from projects.models import Participation
from projects.notifications import jobs
from projects.notifications.recipients import recipient_list

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
