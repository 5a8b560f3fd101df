"""Project commands in the admin: run by the domain, refused with a form error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from projects import models as rm
from projects.admin.commands import ACTIONS
from projects.domain import RescheduleMilestone
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


def url(slug: str) -> str:
    return f"/admin/projects/project/{PROJECT}/command/{slug}/"


@pytest.fixture
def liaison(client: Client) -> Client:
    user = User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    client.force_login(user)
    return client


def _version() -> int:
    return rm.Project.objects.get(code=PROJECT).version


def _reschedule(client: Client, *, expected: int, due: str = "2025-10-31") -> object:
    return client.post(
        url("reschedule-milestone"),
        {
            "milestone_id": "M1",
            "new_due_date": due,
            "reason": "Partner procurement took longer",
            "expected_version": expected,
        },
        secure=True,
    )


def test_rescheduling_in_the_admin_appends_an_event_by_the_officer(liaison: Client) -> None:
    builders.running_project()
    officer = User.objects.get(username="liaison")

    response = _reschedule(liaison, expected=_version())

    assert response.status_code == 302
    assert response["Location"] == f"/admin/projects/project/{PROJECT}/change/"
    last = StoredEvent.objects.order_by("-position").first()
    assert last is not None
    assert last.event_type == "MilestoneRescheduled"
    assert last.metadata["source"] == "admin"
    assert last.metadata["actor_kind"] == "staff"
    assert last.metadata["actor_id"] == str(officer.pk)
    assert rm.Milestone.objects.get(key=f"{PROJECT}/M1").due_date == dt.date(2025, 10, 31)


def test_a_rule_the_domain_refuses_is_a_form_error_and_writes_nothing(liaison: Client) -> None:
    builders.running_project()
    before = StoredEvent.objects.count()

    response = _reschedule(liaison, expected=_version(), due="2031-01-01")

    assert response.status_code == 200
    assert "planned period" in response.content.decode()
    assert StoredEvent.objects.count() == before


def test_a_change_made_meanwhile_is_named_and_the_resubmitted_form_applies(
    liaison: Client,
) -> None:
    builders.running_project()
    opened_at = _version()
    builders.run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Moved by a colleague"))
    before = StoredEvent.objects.count()

    stale = _reschedule(liaison, expected=opened_at)

    page = stale.content.decode()
    assert stale.status_code == 200
    assert "was changed since you opened this form" in page
    assert f"Version {opened_at + 1}: Milestone M1" in page  # the change in words
    assert "rescheduled from 2025-08-31 to 2025-09-30" in page
    assert StoredEvent.objects.count() == before
    fresh = _reschedule(liaison, expected=_version())
    assert fresh.status_code == 302
    assert rm.Milestone.objects.get(key=f"{PROJECT}/M1").due_date == dt.date(2025, 10, 31)


@pytest.mark.parametrize(
    "data",
    [
        {"milestone_id": "M1", "new_due_date": "31/10/2025", "reason": "x"},
        {"milestone_id": "M9", "new_due_date": "2025-10-31", "reason": "x"},
        {"milestone_id": "M1", "new_due_date": "2025-10-31", "reason": ""},
        {"milestone_id": "M1", "new_due_date": "2025-10-31", "reason": "x\x00"},
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(liaison: Client, data: dict) -> None:
    builders.running_project()
    before = StoredEvent.objects.count()

    response = liaison.post(
        url("reschedule-milestone"), {**data, "expected_version": _version()}, secure=True
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert StoredEvent.objects.count() == before


@pytest.mark.parametrize("slug", [a.slug for a in ACTIONS])
def test_every_action_shows_its_form(liaison: Client, slug: str) -> None:
    builders.running_project()

    response = liaison.get(url(slug), secure=True)

    assert response.status_code == 200
    assert f'value="{_version()}"' in response.content.decode()


def test_an_unknown_action_is_not_found(liaison: Client) -> None:
    builders.running_project()

    assert liaison.get(url("delete-everything"), secure=True).status_code == 404


def test_staff_without_the_change_permission_may_look_but_not_act(client: Client) -> None:
    builders.running_project()
    viewer = User.objects.create_user("viewer", password="a-long-password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(viewer)
    before = StoredEvent.objects.count()

    page = client.get(f"/admin/projects/project/{PROJECT}/change/", secure=True)
    refused = _reschedule(client, expected=_version())

    assert page.status_code == 200
    assert "Reschedule a milestone" not in page.content.decode()
    assert refused.status_code == 403
    assert StoredEvent.objects.count() == before


SUBMISSIONS = [
    (
        "schedule-milestone",
        {
            "milestone_id": "M2",
            "title__en": "Pilot deployed",
            "title__zh_hant": "試點部署",
            "title__zh_hans": "试点部署",
            "milestone_type": "delivery",
            "due_date": "2026-06-30",
            "responsible_party": "deepseek",
        },
        "MilestoneScheduled",
    ),
    (
        "claim-milestone",
        {
            "milestone_id": "M1",
            "claimant": "deepseek",
            "claimed_status": "partiallyMet",
            "claimed_date": "2025-08-28",
            "note": "Two of three sites live",
        },
        "MilestoneClaimed",
    ),
    ("cancel-milestone", {"milestone_id": "M1", "reason": "Merged into M2"}, "MilestoneCancelled"),
    (
        "change-status",
        {
            "status": "suspended",
            "effective_on": "2025-08-30",
            "reason": "Funding review",
        },
        "ProjectStatusChanged",
    ),
    (
        "set-budget",
        {
            "budget__amount": "12500000.50",
            "budget__currency": "HKD",
        },
        "ProjectBudgetSet",
    ),
    ("add-party", {"organisation_id": "zj-gov", "roles": ["funding", "partner"]}, "PartyAdded"),
    (
        "change-party-roles",
        {
            "organisation_id": "hk-itib",
            "roles": ["lead", "accountable"],
        },
        "PartyRolesChanged",
    ),
    (
        "correct-details",
        {
            "reason": "Typo in the English title",
            "titles__en": "Hong Kong–Zhejiang AI Joint Laboratory",
            "titles__zh_hant": "港浙人工智能聯合實驗室",
            "titles__zh_hans": "港浙人工智能联合实验室",
        },
        "ProjectDetailsCorrected",
    ),
]


@pytest.mark.parametrize(("slug", "data", "event_type"), SUBMISSIONS)
def test_each_action_form_builds_its_command(
    liaison: Client, slug: str, data: dict, event_type: str
) -> None:
    builders.running_project()

    response = liaison.post(url(slug), {**data, "expected_version": _version()}, secure=True)

    assert response.status_code == 302, response.content.decode()[-2000:]
    last = StoredEvent.objects.order_by("-position").first()
    assert last is not None
    assert last.event_type == event_type


def test_a_claim_recorded_in_the_admin_is_confirmed_or_returned_there(liaison: Client) -> None:
    builders.running_project()
    claim = {
        "milestone_id": "M1",
        "claimant": "deepseek",
        "claimed_status": "met",
        "claimed_date": "2025-08-28",
    }

    liaison.post(url("claim-milestone"), {**claim, "expected_version": _version()}, secure=True)
    returned = liaison.post(
        url("return-claim"),
        {"milestone_id": "M1", "reason": "No acceptance report", "expected_version": _version()},
        secure=True,
    )
    liaison.post(url("claim-milestone"), {**claim, "expected_version": _version()}, secure=True)
    confirmed = liaison.post(
        url("confirm-claim"), {"milestone_id": "M1", "expected_version": _version()}, secure=True
    )

    assert (returned.status_code, confirmed.status_code) == (302, 302)
    milestone = rm.Milestone.objects.get(key=f"{PROJECT}/M1")
    assert (milestone.status, milestone.date_met) == ("met", dt.date(2025, 8, 28))
    types = list(
        StoredEvent.objects.filter(stream_id=PROJECT)
        .order_by("-version")
        .values_list("event_type", flat=True)[:4]
    )
    assert types == [
        "MilestoneClaimConfirmed",
        "MilestoneClaimed",
        "MilestoneClaimReturned",
        "MilestoneClaimed",
    ]


def test_removing_a_party_in_the_admin_needs_a_reason_and_records_it(liaison: Client) -> None:
    builders.running_project()

    without = liaison.post(
        url("remove-party"),
        {"organisation_id": "hk-itib", "reason": "", "expected_version": _version()},
        secure=True,
    )
    removed = liaison.post(
        url("remove-party"),
        {"organisation_id": "hk-itib", "reason": "Withdrew", "expected_version": _version()},
        secure=True,
    )

    assert without.status_code == 200
    assert removed.status_code == 302
    assert not rm.Participation.objects.filter(project=PROJECT, organisation="hk-itib").exists()


def _register(client: Client, code: str = "HKZJ-2025-AI-09") -> object:
    project = {
        "project_code": code,
        "agreement_code": "HKZJ-2025-MECH",
        "titles__en": "Hong Kong–Zhejiang robotics testbed",
        "titles__zh_hant": "港浙機器人測試平台",
        "titles__zh_hans": "港浙机器人测试平台",
        "sector": "artificial_intelligence",
        "planned_start": "2025-06-01",
        "planned_end": "2026-12-31",
    }
    data = {f"project-{k}": v for k, v in project.items()}
    for prefix in ("parties", "milestones"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return client.post("/admin/projects/project/add/", data, secure=True)


def test_adding_a_project_in_the_admin_registers_it_by_command(liaison: Client) -> None:
    response = _register(liaison)

    assert response.status_code == 302
    assert response["Location"] == "/admin/projects/project/HKZJ-2025-AI-09/change/"
    project = rm.Project.objects.get(code="HKZJ-2025-AI-09")
    assert (project.status, project.version) == ("pipeline", 1)
    registered = StoredEvent.objects.get(stream_id="HKZJ-2025-AI-09")
    assert (registered.event_type, registered.metadata["source"]) == ("ProjectRegistered", "admin")


def test_adding_a_project_with_a_code_in_use_is_refused_by_name(liaison: Client) -> None:
    _register(liaison)
    before = StoredEvent.objects.count()

    again = _register(liaison)

    assert again.status_code == 200
    assert "HKZJ-2025-AI-09" in again.content.decode()
    assert "already" in again.content.decode()
    assert StoredEvent.objects.count() == before


def test_a_malformed_project_code_is_a_form_error(liaison: Client) -> None:
    response = _register(liaison, code="not a code")

    assert response.status_code == 200
    assert "not a valid project code" in response.content.decode()
    assert not rm.Project.objects.filter(code="not a code").exists()


def test_a_form_posted_without_its_version_says_so_and_writes_nothing(liaison: Client) -> None:
    builders.running_project()
    before = StoredEvent.objects.count()

    response = liaison.post(
        url("cancel-milestone"), {"milestone_id": "M1", "reason": "Merged"}, secure=True
    )

    assert response.status_code == 200
    assert "missing its version" in response.content.decode()
    assert StoredEvent.objects.count() == before
