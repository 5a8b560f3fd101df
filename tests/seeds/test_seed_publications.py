"""The seed data's open-data decisions: each publication a recorded ``PublishProject``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError

from projects import models as rm
from registry.models import StoredEvent
from tests.seeds.test_load_seeds import load_seeds, small_set, write_set

pytestmark = pytest.mark.django_db

RELEASE = {"project": "TEST-RB-01", "on": "2025-10-01", "reason": "Open-data release"}


def test_a_publication_is_recorded_as_a_seed_command(tmp_path: Path) -> None:
    data = {**small_set(), "publications": {"publications": [RELEASE]}}
    write_set(tmp_path, data)

    said = load_seeds("small", "--data-dir", str(tmp_path))

    assert "Loaded small: 12 commands, 12 events appended" in said
    assert rm.Project.objects.get(code="TEST-RB-01").published
    event = StoredEvent.objects.get(event_type="ProjectPublished")
    assert event.data == {"reason": "Open-data release"}
    assert event.metadata["actor_kind"] == "seed"
    assert event.occurred_at.date().isoformat() == "2025-10-01"
    assert "nothing appended" in load_seeds("small", "--data-dir", str(tmp_path))


def test_a_publication_of_an_unknown_project_writes_nothing(tmp_path: Path) -> None:
    unknown = {**RELEASE, "project": "TEST-RB-99"}
    write_set(tmp_path, {**small_set(), "publications": {"publications": [unknown]}})

    with pytest.raises(CommandError) as refused:
        load_seeds("small", "--data-dir", str(tmp_path))

    message = str(refused.value)
    assert "publications.json: publications[0]" in message
    assert "No project with code TEST-RB-99 is registered." in message
    assert StoredEvent.objects.count() == 0
