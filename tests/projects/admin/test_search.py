"""Finding projects in the founding data set: by party in any language, id, milestone, code."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set_restored")]

PROJECTS = "/admin/projects/project/"


def _found(client: Client, query: str) -> list[str]:
    response = client.get(PROJECTS, {"q": query}, secure=True)
    assert response.status_code == 200
    return [p.code for p in response.context["cl"].result_list]


@pytest.mark.parametrize(
    "query",
    [
        "DeepSeek",  # the party's English name
        "深度求索",  # its Simplified (and Traditional) Chinese name
        "deepseek",  # its organisation id
        "HKZJ-2025-AI-01",  # the project code
    ],
)
def test_the_deepseek_project_is_found(officer: Client, query: str) -> None:
    assert "HKZJ-2025-AI-01" in _found(officer, query)


def test_a_milestone_title_finds_each_project_once(officer: Client) -> None:
    found = _found(officer, "AI pilot application deployed")

    assert "HKZJ-2025-AI-01" in found
    assert len(found) == len(set(found))
    assert all(code.startswith("HKZJ-2025-AI-") for code in found)


def test_a_search_matching_nothing_lists_nothing(officer: Client) -> None:
    assert _found(officer, "no such project anywhere") == []


def test_filters_by_party_and_by_responsible_organisation(officer: Client) -> None:
    by_party = officer.get(PROJECTS, {"party": "deepseek"}, secure=True)
    by_responsible = officer.get(PROJECTS, {"responsible": "deepseek"}, secure=True)

    assert {p.code for p in by_party.context["cl"].result_list} == {
        "HKZJ-2025-AI-01",
        "HKZJ-2025-AI-03",
    }
    assert [p.code for p in by_responsible.context["cl"].result_list] == ["HKZJ-2025-AI-01"]


def test_an_organisation_page_lists_its_projects_and_milestones(officer: Client) -> None:
    page = officer.get("/admin/projects/organisation/deepseek/change/", secure=True)

    html = page.content.decode()
    assert "/admin/projects/project/HKZJ-2025-AI-01/change/" in html
    assert "/admin/projects/project/HKZJ-2025-AI-03/change/" in html
    assert "/admin/projects/milestone/HKZJ-2025-AI-01/M3/change/" in html
