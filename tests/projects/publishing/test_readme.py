"""The README's open-data commands, run as written."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set_restored")]

README = Path(__file__).resolve().parents[3] / "README.md"


def commands() -> list[list[str]]:
    """Return the ``python manage.py`` lines of the README's open-data section."""
    section = README.read_text("utf-8").split("## Open data (IATI)", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    found = [shlex.split(line)[2:] for line in lines if line.startswith("python manage.py ")]
    assert found
    return found


def test_the_readme_commands_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    export, check = commands()

    out = io.StringIO()
    call_command(*export, stdout=out)
    assert (tmp_path / "open-data" / "activities.xml").exists()
    assert (tmp_path / "open-data" / "organisation.xml").exists()
    assert "(56 activities)" in out.getvalue()

    out = io.StringIO()
    call_command(*check, stdout=out)  # exits 0: nothing left out
    assert "Nothing left out" in out.getvalue()
