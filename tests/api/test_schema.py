"""The OpenAPI schema, checked against the running API with Schemathesis (as a partner).

Schemathesis generates requests from the schema, valid and invalid, sends them through
the WSGI application and checks every answer: no 5xx, a declared status code and
content type, a body matching the declared schema. In ``make test`` the cases are
derandomized and few (the same on every run, so CI cannot turn red on a chance find);
``make reliability`` fuzzes with fresh random cases and many more of them
(``testkit/budget.py``), and records how many each operation tried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from testkit import budget
from tests.api.world import World

pytestmark = pytest.mark.django_db


# Loaded when the module is collected: the schema is public and needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def _connections_stay_open() -> Iterator[None]:
    """Keep the test's database connection across WSGI requests, as Django's test client does.

    Django closes connections when a request finishes; inside a test's transaction that
    would end the transaction (and on PostgreSQL, the connection).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.auth(refresh_interval=None)
class _PartnerToken:
    """DeepSeek's token, given to schemathesis as the caller's own credentials.

    As an auth provider (not a header added on the wire), schemathesis knows which
    credentials are the caller's: it judges a case whose only fault was a missing or
    mangled Authorization header by the request actually sent, and checks that the API
    refuses the same request with no token and with a made-up one.
    """

    token = ""

    def get(self, case: Any, context: Any) -> str:
        """Return the token of the module's world (set by the test before each call)."""
        return _PartnerToken.token

    def set(self, case: Any, data: str, context: Any) -> None:
        """Send the token as the bearer credentials of ``case``."""
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def count_cases(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> Iterator[list[int]]:
    """Count the cases the test tries; record the count (``schemathesis_cases <test>``)."""
    tried = [0]
    yield tried
    record_property(f"schemathesis_cases {request.node.name}", tried[0])


# Sizes that the schema accepts but the log has not reached yet (or a first size after the
# second) are refused with 400, as issue 20 asks: a schema cannot say how long the log is.
_SIZES_BOUND_BY_THE_LOG = {"/api/v1/ledger/inclusion/", "/api/v1/ledger/consistency/"}


# What the schema says in words but JSON Schema cannot check: dates within 2000–2100, a
# range that does not end before it starts, a moment not in the future. A schema-valid
# request refused for these parameters alone is a refusal the description promises.
BOUNDED = {"due_before", "due_after", "start", "end", "as_of"}


def _bounded_refusal(response: Any) -> bool:
    if response.status_code != 400:
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(error["field"] in BOUNDED for error in errors)


def accepts_valid_data_within_its_bounds(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis's positive-data check, but for the refusals of ``BOUNDED`` ranges."""
    if _bounded_refusal(response):
        return True
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(budget.examples("schemathesis"), derandomize=not budget.LONG)
@pytest.mark.usefixtures("_connections_stay_open")
def test_every_answer_conforms_to_the_schema(
    case: Any, api_world: World, count_cases: list[int]
) -> None:
    count_cases[0] += 1
    _PartnerToken.token = api_world.deepseek
    bound = case.operation.path in _SIZES_BOUND_BY_THE_LOG
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance],
        additional_checks=[] if bound else [accepts_valid_data_within_its_bounds],
    )


def test_the_schema_is_openapi_3_1_and_declares_every_error_as_a_problem() -> None:
    document = Client().get("/api/schema/?format=json").json()

    assert document["openapi"].startswith("3.1")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "401", "429", "500"):
                assert status in responses, (method, path, status)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]
                    assert response["content"]["application/problem+json"]["examples"]


def test_swagger_ui_is_served_locally_without_a_cdn_or_inline_script() -> None:
    client = Client()

    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page.replace(" ", "")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
