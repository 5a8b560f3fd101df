"""Problem types are URLs under the site whose pages explain them in three languages; the
guide and the changelog are pages in three languages too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from projects.api import changelog, problems
from projects.api.problemtypes import CATALOGUE, domain_codes, every_type, problem_type
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

LANGUAGES = {"en": "en", "zh-hant": "zh-hant", "zh-hans": "zh-hans"}
SOURCE = Path(__file__).resolve().parents[2] / "projects"


def _page(path: str, language: str) -> tuple[int, str, str]:
    response = Client().get(path, headers={"Accept-Language": language})
    return response.status_code, response["Content-Language"], response.content.decode()


def test_a_problems_type_leads_to_its_page_in_the_readers_language(
    as_deepseek: ApiClient,
) -> None:
    problem = as_deepseek.get("projects/NOPE-1/").json()
    prefix = settings.SITE_URL + "/api/problems/"
    assert problem["type"] == prefix + "project-not-found"

    pages = {
        lang: _page(problem["type"].removeprefix(settings.SITE_URL), lang) for lang in LANGUAGES
    }

    assert {lang: page[:2] for lang, page in pages.items()} == {
        lang: (200, lang) for lang in LANGUAGES
    }
    assert "Project not found" in pages["en"][2]
    assert "找不到項目" in pages["zh-hant"][2]
    assert "未找到项目" in pages["zh-hans"][2] or "找不到项目" in pages["zh-hans"][2]
    assert problem["type"] in pages["en"][2]


@pytest.mark.parametrize("problem", every_type(), ids=lambda p: p.code)
def test_every_problem_type_has_a_page_in_three_languages(problem: object) -> None:
    code = problem.code  # type: ignore[attr-defined]
    bodies = {}
    for language in LANGUAGES:
        status, content_language, body = _page(f"/api/problems/{code}", language)
        assert (status, content_language) == (200, language)
        assert f"/api/problems/{code}" in body
        bodies[language] = body
    # Translated, not English under another label: the explanation differs per language.
    assert len({re.sub(r"\s+", " ", b) for b in bodies.values()}) == 3


def test_every_domain_refusal_and_every_code_in_the_source_has_a_page() -> None:
    written = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"Problem\(\s*\d{3},\s*\"([a-z-]+)\"", text))
        written |= set(re.findall(r"problem_response\(\s*\d{3},\s*\"([a-z-]+)\"", text))
        written |= set(re.findall(r"problem_response\(\s*\n\s*\d{3},\s*\n\s*\"([a-z-]+)\"", text))
    written |= set(problems._DRF_CODES.values())
    written |= {"ledger-busy", "database-unavailable"}  # projects.unavailable.code
    assert {"project-not-found", "invalid-input", "stale-version", "too-many-requests"} <= written

    missing = sorted(code for code in written | set(domain_codes()) if problem_type(code) is None)

    assert missing == []


def test_the_index_lists_every_problem_type(anonymous: ApiClient) -> None:
    for language in LANGUAGES:
        status, content_language, body = _page("/api/problems/", language)
        assert (status, content_language) == (200, language)
        for problem in every_type():
            assert f'href="/api/problems/{problem.code}"' in body


def test_an_unknown_problem_type_is_a_404_problem() -> None:
    response = Client().get("/api/problems/no-such-problem")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["/api/guide", "/api/changelog"])
def test_the_guide_and_the_changelog_read_in_three_languages(path: str) -> None:
    bodies = {}
    for language in LANGUAGES:
        status, content_language, body = _page(path, language)
        assert (status, content_language) == (200, language)
        bodies[language] = body
    assert len(set(bodies.values())) == 3
    assert 'lang="zh-hant"' in bodies["zh-hant"]


def test_the_changelog_names_the_schemas_version_and_the_policy() -> None:
    document = Client().get("/api/schema/?format=json").json()
    _status, _language, body = _page("/api/changelog", "en")

    assert document["info"]["version"] == changelog.VERSION
    assert f'id="v{changelog.VERSION}"' in body
    assert "Deprecation policy" in body
    assert "Nothing is deprecated." in body


def test_the_guide_explains_as_of_overdue_the_claim_window_and_test_tokens() -> None:
    _status, _language, body = _page("/api/guide", "en")

    for anchor in ("as-of", "overdue", "claim-date", "test-token"):
        assert f'id="{anchor}"' in body
    assert settings.TIME_ZONE in body
    assert "issue_api_token" in body


def test_the_catalogue_describes_what_the_claim_can_answer() -> None:
    for code in ("claim-pending", "invalid-claim-date", "claimant-not-responsible"):
        assert code in CATALOGUE
