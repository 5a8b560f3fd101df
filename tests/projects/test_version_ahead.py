"""An expected version ahead of the stream is explained, not shown as an empty conflict."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from projects import models as rm
from projects.domain import RescheduleMilestone
from registry.errors import ConcurrencyConflict
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


def test_the_conflict_says_the_expected_version_does_not_exist_yet() -> None:
    builders.running_project()
    current = rm.Project.objects.get(code=PROJECT).version

    with pytest.raises(ConcurrencyConflict) as conflict:
        builders.run(
            RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Procurement"),
            expected_version=current + 3,
        )

    assert conflict.value.is_ahead
    message = str(conflict.value)
    assert f"is at version {current}, not {current + 3}" in message
    assert "changed since it was read" not in message
    assert f"version {current + 3} does not exist yet" in message


def test_the_admin_explains_a_version_ahead_instead_of_listing_no_changes(
    liaison: Client,
) -> None:
    builders.running_project()
    current = rm.Project.objects.get(code=PROJECT).version
    before = StoredEvent.objects.count()

    response = liaison.post(
        f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
        {
            "milestone_id": "M1",
            "new_due_date": "2025-10-31",
            "reason": "Procurement",
            "expected_version": current + 5,
        },
        secure=True,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "was changed since you opened this form" not in page
    assert f"version {current + 5}" in page
    assert f"at version {current}" in page
    assert "Reload" in page
    assert StoredEvent.objects.count() == before
