"""docs/API.md's command for a test token that expires, run as written."""

from __future__ import annotations

import datetime as dt
import io
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from projects.api import authentication
from tests.api.conftest import ApiClient
from tests.api.world import World

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
MARK = "<!-- tests/api/test_api_docs.py runs this block as it stands -->"


def marked_commands() -> list[list[str]]:
    """Return the ``python manage.py`` lines of the blocks docs/API.md marks for this test."""
    commands = []
    for part in DOC.read_text(encoding="utf-8").split(MARK)[1:]:
        block = re.match(r"\s*```sh\n(.*?)\n```", part, re.DOTALL)
        assert block is not None, "a marked block must follow its mark"
        for line in block.group(1).splitlines():
            assert line.startswith("python manage.py "), line
            commands.append(shlex.split(line)[2:])
    return commands


def test_the_documented_test_token_works_until_the_day_it_expires(
    api_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    (command,) = marked_commands()
    expires = dt.date.fromisoformat(command[command.index("--expires") + 1])
    out = io.StringIO()

    call_command(*command, stdout=out)

    token = out.getvalue().strip()
    assert re.fullmatch(r"reg_[0-9a-f]{12}_\S+", token)
    assert ApiClient(token).get("projects/").status_code == 200

    def on(day: dt.date) -> Any:
        monkeypatch.setattr(authentication.timezone, "localdate", lambda: day)
        return ApiClient(token).get("projects/")

    assert on(expires - dt.timedelta(days=1)).status_code == 200
    refused = on(expires)
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("/api/problems/invalid-token")


def test_the_guide_page_gives_the_same_command() -> None:
    (command,) = marked_commands()
    page = ApiClient(None).client.get("/api/guide").content.decode()

    assert "python manage.py issue_api_token --organisation deepseek" in page
    assert " ".join(command[:2]) == "issue_api_token --organisation"
