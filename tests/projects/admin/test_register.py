"""Add project: a project, its budget, parties and first milestones recorded in one go."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from projects import models as rm
from registry.models import StoredEvent
from tests.projects.admin.conftest import form_errors, formset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

ADD = "/admin/projects/project/add/"


def _page(*, milestones: list[dict[str, Any]] | None = None, **project: Any) -> dict[str, Any]:
    fields = {
        "project_code": "HKZJ-2025-AI-21",
        "agreement_code": "HKZJ-2025-MECH",
        "titles__en": "Cross-border model evaluation",
        "titles__zh_hant": "跨境模型評估",
        "titles__zh_hans": "跨境模型评估",
        "sector": "artificial_intelligence",
        "planned_start": "2025-06-01",
        "planned_end": "2026-12-31",
        **project,
    }
    parties = [
        {"organisation_id": "hk-itib", "roles": ["lead", "funding"]},
        {"organisation_id": "deepseek", "roles": ["implementing"]},
        {},  # a blank row is left out
    ]
    milestones = milestones or [
        {
            "milestone_id": "M1",
            "title__en": "Evaluation plan agreed",
            "milestone_type": "approval",
            "due_date": "2025-09-30",
            "responsible_party": "hk-itib",
        },
        {
            "milestone_id": "M2",
            "title__en": "First evaluation report",
            "milestone_type": "reporting",
            "due_date": "2026-03-31",
            "responsible_party": "deepseek",
        },
        {"milestone_id": "M3"},  # the proposed id alone: a row left blank
    ]
    return {
        **{f"project-{k}": v for k, v in fields.items()},
        "budget-budget__amount": "2500000",
        "budget-budget__currency": "HKD",
        **formset("parties", parties),
        **formset("milestones", milestones, initial=3),
    }


def test_the_page_records_the_project_budget_parties_and_milestones_as_commands(
    officer: Client,
) -> None:
    page = officer.get(ADD, secure=True).content.decode()
    assert 'value="M1"' in page  # milestone ids proposed
    assert 'value="M3"' in page

    response = officer.post(ADD, _page(), secure=True)

    assert response.status_code == 302, form_errors(response)
    events = StoredEvent.objects.filter(stream_id="HKZJ-2025-AI-21").order_by("version")
    assert [e.event_type for e in events] == [
        "ProjectRegistered",
        "ProjectBudgetSet",
        "PartyAdded",
        "PartyAdded",
        "MilestoneScheduled",
        "MilestoneScheduled",
    ]
    assert len({e.metadata["correlation_id"] for e in events}) == 1
    project = rm.Project.objects.get(code="HKZJ-2025-AI-21")
    assert (project.budget_currency, project.budget_amount) == ("HKD", 2_500_000)
    assert sorted(project.parties.values_list("organisation_id", flat=True)) == [
        "deepseek",
        "hk-itib",
    ]
    assert list(project.milestones.values_list("milestone_id", flat=True)) == ["M1", "M2"]


def test_a_refused_milestone_writes_nothing_and_names_its_row(officer: Client) -> None:
    before = StoredEvent.objects.count()
    milestones = [
        {
            "milestone_id": "M1",
            "title__en": "Evaluation plan agreed",
            "milestone_type": "approval",
            "due_date": "2025-09-30",
            "responsible_party": "hk-itib",
        },
        {
            "milestone_id": "M2",
            "title__en": "Report long after the project",
            "milestone_type": "reporting",
            "due_date": "2031-01-31",
            "responsible_party": "deepseek",
        },
    ]

    response = officer.post(ADD, _page(milestones=milestones), secure=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was recorded: milestone row 2 was refused." in html
    assert "planned period" in html
    rows = response.context["sections"][3]["rows"]
    assert not rows.forms[0].errors
    assert rows.forms[1].errors
    assert StoredEvent.objects.count() == before
    assert not rm.Project.objects.filter(code="HKZJ-2025-AI-21").exists()


def test_a_responsible_party_that_is_not_a_party_is_refused_on_its_row(officer: Client) -> None:
    milestones = [
        {
            "milestone_id": "M1",
            "title__en": "Robot demonstration",
            "milestone_type": "delivery",
            "due_date": "2025-09-30",
            "responsible_party": "unitree",
        },
    ]

    response = officer.post(ADD, _page(milestones=milestones), secure=True)

    assert response.status_code == 200
    assert "milestone row 1" in response.content.decode()
    assert not StoredEvent.objects.filter(stream_id="HKZJ-2025-AI-21").exists()


def test_a_project_page_left_without_parties_registers_the_project_alone(officer: Client) -> None:
    data = _page()
    data |= formset("parties", []) | formset("milestones", [], initial=0)
    data.pop("budget-budget__amount")

    response = officer.post(ADD, data, secure=True)

    assert response.status_code == 302, form_errors(response)
    assert StoredEvent.objects.filter(stream_id="HKZJ-2025-AI-21").count() == 1


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        ("1900-01-01", "2999-12-31", "planned_start", "between 2000-01-01 and 2100-12-31"),
        ("2025-06-01", "2999-12-31", "planned_end", "between 2000-01-01 and 2100-12-31"),
        ("2025-01-01", "2026-12-31", "planned_start", "period of agreement HKZJ-2025-MECH"),
        ("2025-06-01", "2031-12-31", "planned_end", "period of agreement HKZJ-2025-MECH"),
    ],
    ids=["the-reviews-1900-to-2999", "2999", "before-the-agreement", "after-the-agreement"],
)
def test_an_implausible_plan_is_refused_on_its_field_and_nothing_is_written(
    officer: Client, start: str, end: str, field: str, words: str
) -> None:
    # The review registered 1900-01-01 to 2999-12-31 with milestones inside that period,
    # outside its agreement's (2025-04-17 to 2030-04-16): the dashboard then led with a
    # milestone 46,360 days overdue.
    before = StoredEvent.objects.count()
    milestones = [
        {
            "milestone_id": "M1",
            "title__en": "Inside the plan",
            "milestone_type": "approval",
            "due_date": "1900-06-30" if start.startswith("1900") else "2026-03-31",
            "responsible_party": "hk-itib",
        }
    ]

    response = officer.post(
        ADD, _page(planned_start=start, planned_end=end, milestones=milestones), secure=True
    )

    assert response.status_code == 200
    project_form = response.context["sections"][0]["command_form"].form
    assert words in " ".join(project_form.errors.get(field, [])), form_errors(response)
    assert StoredEvent.objects.count() == before
    assert not rm.Project.objects.filter(code="HKZJ-2025-AI-21").exists()
