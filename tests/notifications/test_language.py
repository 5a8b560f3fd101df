"""Every fixed word of mail exists in Traditional and Simplified Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "projects" / "notifications" / "locale"
TRANSLATION = re.compile(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', re.MULTILINE)


def translated(entry: str) -> str:
    """Return an entry's translation, its quoted lines joined (wrapped or not)."""
    match = TRANSLATION.search(entry)
    return "".join(re.findall(r'"(.*)"', match.group(1))) if match else ""


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_the_catalogue_translates_every_message_and_guesses_none(language: str) -> None:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]

    untranslated = [e for e in entries if not translated(e)]
    assert "#, fuzzy" not in text
    assert untranslated == []
    assert len(entries) > 150
