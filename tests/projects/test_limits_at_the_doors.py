"""Every door refuses a value beyond a limit alike, on SQLite as on PostgreSQL.

A title over the column's 400 characters and a budget of 10^16 used to be a 500 in the
admin and a raw ``DataError`` in the seed loader on PostgreSQL, while SQLite stored
both, so a ledger that verified on SQLite could not be imported into PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from projects import models as rm
from projects.domain import limits
from registry import projections
from registry.ledger import HASHED_FIELDS, canonical
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.admin.conftest import formset
from tests.projects.domain.scenario import AGREEMENT
from tests.registry.factories import purge_log
from tests.seeds.test_load_seeds import load_seeds, small_set, write_set

pytestmark = pytest.mark.django_db

TOO_LONG_TITLE = "T" * (limits.TITLE_LENGTH + 1)


def test_the_admin_refuses_a_title_over_the_limit_with_a_form_error(liaison: Client) -> None:
    builders.register_founders()
    before = StoredEvent.objects.count()

    project = {
        "project_code": "HKZJ-2025-AI-09",
        "agreement_code": AGREEMENT,
        "titles__en": TOO_LONG_TITLE,
        "titles__zh_hant": "標題",
        "titles__zh_hans": "标题",
        "sector": "artificial_intelligence",
        "planned_start": "2025-05-01",
        "planned_end": "2026-12-31",
    }
    response = liaison.post(
        "/admin/projects/project/add/",
        {
            **{f"project-{name}": value for name, value in project.items()},
            **formset("parties", []),
            **formset("milestones", []),
        },
        secure=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert f"at most {limits.TITLE_LENGTH} characters" in page
    assert StoredEvent.objects.count() == before
    assert not rm.Project.objects.filter(code="HKZJ-2025-AI-09").exists()


def test_the_admin_refuses_a_reason_over_the_limit_with_a_form_error(liaison: Client) -> None:
    builders.register_founders()
    builders.running_project()
    before = StoredEvent.objects.count()

    response = liaison.post(
        f"/admin/projects/project/{builders.PROJECT}/command/reschedule-milestone/",
        {
            "milestone_id": "M1",
            "new_due_date": "2025-10-31",
            "reason": "r" * (limits.REASON_LENGTH + 1),
            "expected_version": rm.Project.objects.get(code=builders.PROJECT).version,
        },
        secure=True,
    )

    assert response.status_code == 200
    assert f"at most {limits.REASON_LENGTH} characters" in response.content.decode()
    assert StoredEvent.objects.count() == before


def _project(data: dict[str, Any]) -> dict[str, Any]:
    return data["projects"]["projects"][0]


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (
            lambda p: p["titles"].__setitem__("zh_hant", TOO_LONG_TITLE),
            ("projects[0] (TEST-RB-01)", "titles.zh_hant", str(limits.TITLE_LENGTH)),
        ),
        (
            lambda p: p.__setitem__("budget", {"amount": "10000000000000000", "currency": "HKD"}),
            ("projects[0] (TEST-RB-01).budget", "budget.amount", "9,999,999,999,999,999.99"),
        ),
        (
            lambda p: p["milestones"][0]["history"][0].__setitem__("note", "n" * 5000),
            ("milestones[0].history[0]", "note", str(limits.NOTE_LENGTH)),
        ),
    ],
    ids=["title", "budget", "claim note"],
)
def test_a_seed_file_breaking_a_limit_is_refused_naming_file_record_and_field(
    tmp_path: Path, breakage: Any, named: tuple[str, ...]
) -> None:
    data = small_set()
    breakage(_project(data))
    folder = write_set(tmp_path, data)

    with pytest.raises(CommandError) as refused:
        load_seeds("small", "--data-dir", str(tmp_path))

    message = str(refused.value)
    assert str(folder / "projects.json") in message
    for part in named:
        assert part in message, message
    assert StoredEvent.objects.count() == 0


def test_seed_history_dated_after_today_is_refused(tmp_path: Path) -> None:
    data = small_set()
    _project(data)["milestones"][0]["history"][1]["on"] = "2099-09-20"  # the confirmation
    folder = write_set(tmp_path, data)

    with pytest.raises(CommandError) as refused:
        load_seeds("small", "--data-dir", str(tmp_path))

    message = str(refused.value)
    assert str(folder / "projects.json") in message
    assert "milestones[0].history[1]" in message
    assert "2099-09-20" in message
    assert "after today" in message
    assert StoredEvent.objects.count() == 0


def test_a_ledger_holding_a_title_over_the_limit_is_refused_by_the_import(
    tmp_path: Path,
) -> None:
    write_set(tmp_path, small_set())
    load_seeds("small", "--data-dir", str(tmp_path))
    call_command("export_events", str(tmp_path / "log.jsonl"))
    documents = [json.loads(x) for x in (tmp_path / "log.jsonl").read_bytes().splitlines()]
    registered = next(d for d in documents if d["event_type"] == "ProjectRegistered")
    line = documents.index(registered) + 1
    registered["data"]["titles"]["en"] = TOO_LONG_TITLE
    prev = "0" * 64
    for document in documents:  # re-hashed, as on a SQLite ledger that stored the title
        document["prev_hash"] = prev
        hashed = {name: document[name] for name in HASHED_FIELDS}
        document["hash"] = prev = hashlib.sha256(canonical(hashed)).hexdigest()
    (tmp_path / "long.jsonl").write_bytes(b"".join(canonical(d) + b"\n" for d in documents))
    for projector in projections.all_projectors():
        projector.reset()
    purge_log()

    with pytest.raises(CommandError) as refused:
        call_command("import_events", str(tmp_path / "long.jsonl"))

    message = str(refused.value)
    assert message.startswith(f"Import refused at line {line}: "), message
    assert "titles.en" in message
    assert str(limits.TITLE_LENGTH) in message
    assert StoredEvent.objects.count() == 0
    assert not rm.Project.objects.exists()
