"""The reading pages and the timeline's sentences exist in full in both Chinese catalogues."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

CATALOGUES = [
    Path(settings.BASE_DIR) / "projects" / root / "locale" / language / "LC_MESSAGES" / "django.po"
    for root in ("narrative", "admin/reading")
    for language in ("zh_Hant", "zh_Hans")
]


def _entries(path: Path) -> list[str]:
    """Return the catalogue's entries (blocks of lines), the header left out."""
    blocks = [b for b in path.read_text().split("\n\n") if "msgid" in b]
    return [b for b in blocks if not re.search(r'^msgid ""\nmsgstr ""\n"', b, re.M)]


def _english(path: Path) -> set[str]:
    """Return the catalogue's one-line English messages without placeholders."""
    found = set()
    for block in _entries(path):
        match = re.search(r'^msgid "(.+)"$', block, re.M)
        if match and not re.search(r"[{%]", match[1]):
            found.add(match[1])
    return found


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_message_is_translated_and_none_is_fuzzy(path: Path) -> None:
    entries = _entries(path)

    assert len(entries) > 50
    for block in entries:
        assert "#, fuzzy" not in block, block
        assert not re.search(r'^msgstr(\[0\])? ""$(?!\n")', block, re.M), block


_VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """Collects the text a person reads in the parts of a page that are ours.

    ``regions`` names them by id or class (None: the whole page); scripts, styles and
    the raw events (``pre``) are left out.
    """

    def __init__(self, regions: set[str] | None) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._regions = regions
        self._inside = 0 if regions else 1
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        names = {v for k, v in attrs if k == "id" and v} | {
            c for k, v in attrs if k == "class" and v for c in v.split()
        }
        if self._inside or (self._regions and names & self._regions):
            self._inside += 1
        if tag in {"script", "style", "pre"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._regions and self._inside:
            self._inside -= 1
        if tag in {"script", "style", "pre"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._inside and not self._skip and data.strip():
            self.texts.append(data.strip())


_DATA = re.compile(
    r"[^，、：「」“”（）]*（[繁简]）|officer-7|Shared models for public services on both sides\."
)

# Each page, with the parts of it these pages add (None: all of it).
PAGES = {
    f"/admin/projects/project/{PROJECT}/change/": {"project-timeline", "object-tools"},
    f"/admin/projects/project/{PROJECT}/history/": {"content-main"},
    f"/admin/projects/project/{PROJECT}/print/": None,
    "/admin/projects/milestone/calendar/?month=2025-08": {"content-main"},
    "/admin/projects/project/": {"object-tools"},
    "/admin/projects/milestone/": {"object-tools"},
}


@pytest.mark.django_db
@pytest.mark.usefixtures("founders")
@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_the_reading_pages_show_no_english_of_ours(reader: Client, language: str) -> None:
    builders.running_project()
    english = set().union(*(_english(p) for p in CATALOGUES))

    for url, regions in PAGES.items():
        page = reader.get(url, secure=True, HTTP_ACCEPT_LANGUAGE=language)
        parser = _Text(regions)
        parser.feed(page.content.decode())

        assert page.status_code == 200
        assert parser.texts, url
        left = {t for t in parser.texts if t in english or t.rstrip(".:") in english}
        assert not left, (url, left)
        # Beyond the catalogue: no English words at all, once the data (the builders'
        # names and titles, marked （繁） or （简）, the officer's account and the
        # description given in English only) is set aside.
        words = [_DATA.sub("", t) for t in parser.texts]
        assert not [w for w in words if re.search(r"[a-z]{3,}", w)], url
