"""The API speaks English, Traditional and Simplified Chinese: its catalogue is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "projects" / "api" / "locale"
# An entry whose msgstr is empty: the line after it ends the entry (or the file).
_EMPTY = re.compile(r'^msgid (".*"\n)+msgstr ""\n(?!")', re.MULTILINE)


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_every_api_message_is_translated(language: str) -> None:
    catalogue = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    _header, entries = catalogue.split("\n\n", 1)

    untranslated = [m.group(0).splitlines()[0] for m in _EMPTY.finditer(entries + "\n")]

    assert untranslated == []
    assert "#, fuzzy" not in entries
    assert entries.count("msgid ") > 100
