"""Publishing as open data in the admin: on the project page, and as a bulk action with a reason."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from projects import models as rm
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

CHANGELIST = "/admin/projects/project/"


@pytest.fixture
def liaison(client: Client) -> Client:
    user = User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    client.force_login(user)
    return client


def _version(code: str = PROJECT) -> int:
    return rm.Project.objects.get(code=code).version


def test_the_project_page_publishes_with_a_reason(liaison: Client) -> None:
    builders.running_project()
    page = liaison.get(f"/admin/projects/project/{PROJECT}/change/").content.decode()
    assert f"/admin/projects/project/{PROJECT}/command/publish/" in page

    response = liaison.post(
        f"/admin/projects/project/{PROJECT}/command/publish/",
        {"reason": "Agreed at the joint working group", "expected_version": _version()},
    )

    assert response.status_code == 302
    last = StoredEvent.objects.order_by("-position").first()
    assert last is not None
    assert last.event_type == "ProjectPublished"
    assert last.data == {"reason": "Agreed at the joint working group"}
    assert last.metadata["actor_kind"] == "staff"
    assert rm.Project.objects.get(code=PROJECT).published
    timeline = liaison.get(f"/admin/projects/project/{PROJECT}/change/").content.decode()
    assert "Published as open data (IATI): Agreed at the joint working group" in timeline


def test_withdrawing_an_unpublished_project_is_a_form_error(liaison: Client) -> None:
    builders.running_project()
    before = StoredEvent.objects.count()

    response = liaison.post(
        f"/admin/projects/project/{PROJECT}/command/withdraw/",
        {"reason": "Mistake", "expected_version": _version()},
        headers={"Accept-Language": "zh-hant"},
    )

    assert response.status_code == 200
    assert "未作為開放數據發佈，無可撤回。" in response.content.decode()
    assert StoredEvent.objects.count() == before


def _bulk(client: Client, action: str, codes: list[str], **extra: str) -> object:
    return client.post(CHANGELIST, {"action": action, "_selected_action": codes, **extra})


def test_the_bulk_action_asks_for_a_reason_then_publishes_each_project(liaison: Client) -> None:
    builders.running_project()
    builders.running_project("HKZJ-2025-AI-02")
    codes = [PROJECT, "HKZJ-2025-AI-02"]

    asked = _bulk(liaison, "publish", codes)
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    assert not rm.Project.objects.filter(published=True).exists()

    blank = _bulk(liaison, "publish", codes, apply="1", reason="")
    assert blank.status_code == 200
    assert not rm.Project.objects.filter(published=True).exists()

    done = _bulk(liaison, "publish", codes, apply="1", reason="First open-data release")
    assert done.status_code == 302
    assert set(rm.Project.objects.filter(published=True).values_list("code", flat=True)) == set(
        codes
    )
    reasons = StoredEvent.objects.filter(event_type="ProjectPublished").values_list(
        "data__reason", flat=True
    )
    assert list(reasons) == ["First open-data release"] * 2


def test_one_refused_project_does_not_stop_the_bulk_withdrawal(liaison: Client) -> None:
    builders.running_project()
    builders.running_project("HKZJ-2025-AI-02")
    _bulk(liaison, "publish", [PROJECT], apply="1", reason="Release")

    response = _bulk(liaison, "withdraw", [PROJECT, "HKZJ-2025-AI-02"], apply="1", reason="Review")

    assert response.status_code == 302
    assert not rm.Project.objects.filter(published=True).exists()
    shown = [str(m) for m in liaison.get(CHANGELIST).context["messages"]]
    assert any("HKZJ-2025-AI-02" in m and "not published" in m for m in shown)
    assert any("Withdrew 1 project(s)" in m for m in shown)
