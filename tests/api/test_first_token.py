"""``first_api_token`` on a fresh database: one token for a seeded partner, a curl line."""

from __future__ import annotations

import io
import re
import shlex

import pytest
from django.core.management import call_command

from projects.api.models import ApiToken
from tests.api.conftest import ApiClient
from tests.projects import builders

pytestmark = pytest.mark.django_db


def _first_api_token() -> str:
    out = io.StringIO()
    call_command("first_api_token", "--url", "http://127.0.0.1:8000/api/", stdout=out)
    return out.getvalue()


def test_without_organisations_it_only_says_where_the_api_is() -> None:
    printed = _first_api_token()

    assert "/api/docs/" in printed
    assert not ApiToken.objects.exists()


def test_on_a_fresh_database_it_prints_a_working_token_and_curl_line() -> None:
    builders.register_founders()

    printed = _first_api_token()
    again = _first_api_token()

    (curl,) = [line.split("Try:", 1)[1] for line in printed.splitlines() if "Try:" in line]
    words = shlex.split(curl)
    assert words[:2] == ["curl", "-H"]
    token = re.fullmatch(r"Authorization: Bearer (\S+)", words[2]).group(1)  # type: ignore[union-attr]
    assert words[3] == "http://127.0.0.1:8000/api/v1/projects/"
    assert ApiToken.objects.get().holder_id == "deepseek"
    assert ApiClient(token).get(words[3]).status_code == 200
    assert "Token:" not in again
    assert ApiToken.objects.count() == 1
