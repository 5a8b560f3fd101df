"""The OpenAPI description says what the API does: servers, 405 and every problem type per
operation, the conventions' headers, an example of every success answer, deprecations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.test import Client

from projects.api.problemtypes import problem_type
from tests.api.conftest import ApiClient
from tests.api.world import AI

pytestmark = pytest.mark.django_db


def _document() -> dict[str, Any]:
    return Client().get("/api/schema/?format=json").json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_the_servers_are_the_site() -> None:
    assert _document()["servers"] == [
        {"url": settings.SITE_URL, "description": "This registry (SITE_URL)."}
    ]


def test_every_operation_declares_405_413_and_503_as_problems() -> None:
    for path, method, operation in _operations(_document()):
        responses = operation["responses"]
        for status in ("405", "413", "503"):
            assert status in responses, (method, path, status)
        assert "Allow" in responses["405"]["headers"], (method, path)
        assert "Retry-After" in responses["503"]["headers"], (method, path)


def test_every_problem_answer_names_its_types_and_each_type_has_a_page() -> None:
    prefix = settings.SITE_URL + "/api/problems/"
    for path, method, operation in _operations(_document()):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]["application/problem+json"]
            types = content["schema"]["allOf"][1]["properties"]["type"]["enum"]
            assert types, (method, path, status)
            assert sorted(content["examples"]) == sorted(t.removeprefix(prefix) for t in types)
            for url in types:
                assert url.startswith(prefix)
                kind = problem_type(url.removeprefix(prefix))
                assert kind is not None, url
                assert int(status) in kind.statuses, (path, status, url)


def test_the_claim_declares_each_refusal_it_can_answer() -> None:
    responses = _document()["paths"]["/api/v1/projects/{code}/milestones/{milestone_id}/claims/"][
        "post"
    ]["responses"]

    def codes(status: str) -> set[str]:
        return set(responses[status]["content"]["application/problem+json"]["examples"])

    assert codes("409") == {"claim-pending", "milestone-not-open", "project-closed"}
    assert codes("412") == {"stale-version"}
    assert {"invalid-claim-date", "idempotency-key-reused"} <= codes("422")
    assert codes("428") == {"if-match-required"}
    assert "ledger-busy" in codes("503")


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    root = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_every_success_answer_has_an_example_that_fits_its_schema() -> None:
    document = _document()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            for media, content in response.get("content", {}).items():  # a 204 has none
                examples = content.get("examples")
                assert examples, (method, path, status)
                if media != "application/json":
                    assert all(isinstance(e["value"], str) for e in examples.values())
                    continue
                for example in examples.values():
                    errors = list(
                        _validator(document, content["schema"]).iter_errors(example["value"])
                    )
                    assert errors == [], (method, path, [e.message for e in errors][:3])


def test_every_answer_declares_the_rate_limit_fields_and_reads_declare_etags_and_links() -> None:
    document = _document()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            headers = response.get("headers", {})
            assert {"RateLimit-Policy", "RateLimit"} <= set(headers), (method, path, status)
    paths = document["paths"]
    for path in ("/api/v1/projects/", "/api/v1/events/", "/api/v1/projects/{code}/events/"):
        assert "Link" in paths[path]["get"]["responses"]["200"]["headers"]
    for path in ("/api/v1/projects/", "/api/v1/events/", "/api/v1/milestones/calendar.ics"):
        get = paths[path]["get"]
        assert "304" in get["responses"]
        assert "ETag" in get["responses"]["200"]["headers"]
        assert "If-None-Match" in {p["name"] for p in get["parameters"]}


def test_the_schemas_limits_are_the_domains() -> None:
    paths = _document()["paths"]
    claim = paths["/api/v1/projects/{code}/milestones/{milestone_id}/claims/"]["post"]
    parameters = {p["name"]: p["schema"] for p in claim["parameters"]}
    body = _document()["components"]["schemas"]["ClaimInput"]["properties"]

    assert (parameters["code"]["minLength"], parameters["code"]["maxLength"]) == (3, 40)
    assert parameters["milestone_id"]["maxLength"] == 20
    assert parameters["If-Match"]["pattern"]
    assert body["note"]["maxLength"] == 2000
    assert body["date"]["format"] == "date"


def test_a_blank_text_where_blank_is_allowed_fits_the_schema() -> None:
    document = _document()
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/projects/"]["get"]["parameters"]
    }
    description = document["components"]["schemas"]["WebhookInput"]["properties"]["description"]

    # An empty search box is no search: the schema must not call it invalid.
    for schema in (parameters["search"], description):
        jsonschema.validate("", schema)
        jsonschema.validate("cross-border", schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate("x" * 201 if schema is parameters["search"] else "a\nb", schema)


def test_a_blank_search_is_no_search(as_deepseek: ApiClient) -> None:
    blank = as_deepseek.get("projects/?search=&overdue=false")
    none = as_deepseek.get("projects/?overdue=false")

    assert blank.status_code == 200
    assert blank.json()["results"] == none.json()["results"]


RETIRED = [
    {
        "route": "api:sectors",
        "deprecated": "2026-12-01T00:00:00+00:00",
        "sunset": "2027-06-30",
        "instead": "GET organisations/",
    },
    {
        "route": "api:project",
        "field": "as_of",
        "deprecated": "2026-11-01T00:00:00+00:00",
        "sunset": "2027-12-31",
        "instead": "GET projects/{code}/events/",
    },
]


def test_a_retired_route_answers_with_deprecation_sunset_and_a_link(
    as_deepseek: ApiClient, settings: Any
) -> None:
    settings.API_RETIRED = RETIRED

    retired = as_deepseek.get("sectors/")
    with_field = as_deepseek.get(f"projects/{AI}/")
    other = as_deepseek.get("organisations/")

    assert retired.status_code == 200
    deprecated = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()
    assert retired["Deprecation"] == f"@{int(deprecated)}"
    assert retired["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert retired["Link"] == (
        f'<{settings.SITE_URL}/api/changelog#retired-api-sectors>; rel="deprecation"; '
        'type="text/html"'
    )
    assert with_field["Sunset"] == "Fri, 31 Dec 2027 00:00:00 GMT"
    assert "retired-api-project-as-of" in with_field["Link"]
    assert "Deprecation" not in other
    assert "Sunset" not in other


def test_a_retired_route_keeps_its_page_links_and_its_304(
    as_deepseek: ApiClient, settings: Any
) -> None:
    settings.API_RETIRED = [{**RETIRED[0], "route": "api:events"}]

    page = as_deepseek.get("events/?after=0&limit=1")
    again = as_deepseek.get("events/?after=0&limit=1", **{"If-None-Match": page["ETag"]})

    assert 'rel="next"' in page["Link"]
    assert 'rel="deprecation"' in page["Link"]
    assert again.status_code == 304
    assert again["Deprecation"] == page["Deprecation"]


def test_retirements_show_in_the_schema_and_on_the_changelog(settings: Any) -> None:
    settings.API_RETIRED = RETIRED

    document = _document()
    page = Client().get("/api/changelog").content.decode()

    assert document["paths"]["/api/v1/sectors/"]["get"]["deprecated"] is True
    assert "deprecated" not in document["paths"]["/api/v1/organisations/"]["get"]
    project = document["paths"]["/api/v1/projects/{code}/"]["get"]
    assert {p["name"]: p.get("deprecated") for p in project["parameters"]}["as_of"] is True
    assert 'id="retired-api-sectors"' in page
    assert 'id="retired-api-project-as-of"' in page
    assert "2027-06-30" in page


def test_nothing_is_retired_by_default() -> None:
    assert settings.API_RETIRED == []
    assert not any(op.get("deprecated") for _p, _m, op in _operations(_document()))


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Read the cooperation projects"), ("zh-hant", "合作項目"), ("zh-hans", "合作项目")],
)
def test_the_description_and_the_headers_read_in_three_languages(language: str, words: str) -> None:
    document = Client().get(f"/api/schema/?format=json&lang={language}").json()

    assert words in document["info"]["description"]
    assert "/api/guide" in document["info"]["description"]
    headers = document["paths"]["/api/v1/projects/"]["get"]["responses"]["200"]["headers"]
    assert (language == "en") == headers["RateLimit"]["description"].startswith("What is left")
