"""API tokens at rest and in the check: only a hash is stored, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Callable

import pytest
from django.db import connection

from projects.api import tokens
from projects.api.models import ApiToken
from tests.api.conftest import ApiClient
from tests.api.world import World

pytestmark = pytest.mark.django_db


def _secret(token: str) -> str:
    return token.split("_", 2)[2]


def test_no_table_holds_any_token_secret(api_world: World) -> None:
    issued = [api_world.deepseek, api_world.unitree, api_world.staff, api_world.revoked]
    for token in issued:  # used, so the use records are written too
        ApiClient(token).get("sectors/")
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            text = repr(cursor.fetchall())
            found += [table for token in issued if _secret(token) in text]

    assert found == []
    record = ApiToken.objects.get(token_id=tokens.token_id_of(api_world.deepseek))
    assert record.secret_hash == tokens.token_hash(api_world.deepseek)


def test_a_token_is_checked_by_comparing_hashes_in_constant_time(
    api_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[str, str]] = []
    real: Callable[[str, str], bool] = hmac.compare_digest

    def watched(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", watched)
    right = api_world.unitree
    wrong = right[:-1] + ("A" if right[-1] != "A" else "B")  # the last character changed

    assert ApiClient(wrong).get("projects/").status_code == 401
    assert ApiClient(right).get("projects/").status_code == 200

    stored = tokens.token_hash(right)
    assert (stored, tokens.token_hash(wrong)) in compared
    assert (stored, stored) in compared
