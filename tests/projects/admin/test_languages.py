"""The admin in Traditional and Simplified Chinese: no project string left in English."""

from __future__ import annotations

import gettext
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

CATALOGUES = ("projects", "registry")  # the catalogues of the admin and of the event store
PAGES = (
    "/admin/",
    f"/admin/projects/project/{PROJECT}/change/",
    "/admin/projects/project/add/",
    f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
    "/admin/projects/agreement/add/",
    "/admin/projects/milestone/",
)


def _english_strings(language: str) -> set[str]:
    """Return the English texts the project's catalogues translate into ``language``."""
    texts: set[str] = set()
    for app in CATALOGUES:
        path = Path(settings.BASE_DIR) / app / "locale" / language / "LC_MESSAGES" / "django.mo"
        with path.open("rb") as mo:
            catalogue = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
        for msgid, msgstr in catalogue.items():
            english = msgid.split("\x04")[-1] if isinstance(msgid, str) else msgid[0]
            if english and "%(" not in english and msgstr != english:
                texts.add(english)
    return texts


class _Texts(HTMLParser):
    """Collect what a reader sees: text nodes, button values, placeholders and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        values = dict(attrs)
        if tag == "input" and values.get("type") == "submit" and values.get("value"):
            self.texts.append(str(values["value"]))
        for name in ("title", "aria-label"):
            if values.get(name):
                self.texts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


def _untranslated(client: Client, url: str, language: str, english: set[str]) -> set[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, secure=True)
    assert response.status_code == 200, url
    parser = _Texts()
    parser.feed(response.content.decode())
    seen = {text.strip().rstrip(":：").strip() for text in parser.texts}
    return seen & english


@pytest.mark.parametrize(
    ("language", "catalogue"), [("zh-hant", "zh_Hant"), ("zh-hans", "zh_Hans")]
)
def test_every_page_reads_in_chinese(officer: Client, language: str, catalogue: str) -> None:
    builders.running_project()
    english = _english_strings(catalogue)

    left = {url: _untranslated(officer, url, language, english) for url in PAGES}

    assert left == {url: set() for url in PAGES}


def test_the_same_check_finds_the_english_pages_english(officer: Client) -> None:
    builders.running_project()
    english = _english_strings("zh_Hant")

    found = _untranslated(officer, "/admin/", "en", english)

    assert {"milestones overdue", "Milestones by sector", "Language"} <= found


def test_titles_and_names_show_in_the_chosen_language(officer: Client) -> None:
    builders.running_project()
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    page = officer.get(f"/admin/projects/project/{PROJECT}/change/", secure=True)

    html = page.content.decode()
    assert "DeepSeek（繁）" in html  # the scenario marks its Chinese names
    assert "人工智能" in html  # the sector
    assert "2025-08-31" in html  # dates stay ISO 8601 in every language
    assert "2025年8月31日" not in html
