"""A NUL character in a URL or query string is a 400 before any view (or database) sees it.

PostgreSQL cannot store or even compare text holding NUL, so an admin object URL
carrying ``%00`` was a 500 there (and a silent "not found" on SQLite).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/projects/project/HKZJ%00/change/",
        "/admin/projects/organisation/deep%00seek/change/",
        f"/admin/projects/project/{PROJECT}/command/reschedule-milestone%00/",
        "/admin/projects/project/?q=%00",
        "/admin/projects/milestone/?status=%00met",
        "/admin/projects/project/?%00=1",
    ],
)
def test_the_admin_answers_400_to_a_nul_character(liaison: Client, url: str) -> None:
    response = liaison.get(url, secure=True)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_a_post_url_is_refused_before_the_view(liaison: Client) -> None:
    response = liaison.post("/admin/projects/project/%00/delete/", {"post": "yes"}, secure=True)

    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/projects/HKZJ%00/", "/api/v1/projects/?sector=%00"])
def test_the_api_answers_a_nul_character_with_a_problem_document(client: Client, url: str) -> None:
    response = client.get(url, secure=True)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 400
    assert problem["type"]
    assert problem["title"] == "Bad Request"
    assert "NUL" in problem["detail"]


def test_the_refusal_is_in_the_readers_language(client: Client) -> None:
    response = client.get("/api/v1/projects/%00/", HTTP_ACCEPT_LANGUAGE="zh-hant", secure=True)

    assert response.status_code == 400
    assert "NUL" in json.loads(response.content)["detail"]
    assert "字元" in json.loads(response.content)["detail"]


def test_an_ordinary_url_passes_through(liaison: Client) -> None:
    assert liaison.get("/admin/projects/project/?q=robot", secure=True).status_code == 200
