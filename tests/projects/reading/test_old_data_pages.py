"""Pages that show data recorded before the text rules show it neutralised.

The data is appended through the store, as the registry accepted it then: an
organisation whose name reverses with a right-to-left override ("evil" read as "live")
and a milestone whose title breaks lines. The admin's lists, record pages, timeline
sentences, raw event data and print view carry neither.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from projects.domain import LocalisedText, MilestoneType, OrganisationType
from projects.domain.organisation import OrganisationRegistered
from projects.domain.project_events import MilestoneScheduled
from registry import store
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

OVERRIDE = "\u202e"
SPOOFED = f"{OVERRIDE}live"  # shows as "evil"
BROKEN = "Pilot\r\nlive\x85now\u2028here"
INVISIBLE = (OVERRIDE, "\x85", "\u2028", "\r")


@pytest.fixture
def old_data(officer: User) -> None:
    officer.user_permissions.add(Permission.objects.get(codename="view_storedevent"))
    builders.running_project()
    store.append(
        "organisation",
        "evil-corp",
        [
            OrganisationRegistered(
                "evil-corp",
                LocalisedText(SPOOFED, SPOOFED, SPOOFED),
                OrganisationType.PRIVATE_SECTOR,
                "HK",
                (),
            )
        ],
        expected_version=0,
        metadata=builders.staff(),
    )
    title = LocalisedText(BROKEN, BROKEN, BROKEN)
    scheduled = MilestoneScheduled(
        "M9", title, MilestoneType.DELIVERY, dt.date(2025, 10, 1), "hk-itib"
    )
    store.append("project", PROJECT, [scheduled], expected_version=None, metadata=builders.staff())


@pytest.mark.parametrize(
    "path",
    [
        "/admin/projects/organisation/",
        "/admin/projects/organisation/evil-corp/change/",
        f"/admin/projects/project/{PROJECT}/change/",
        f"/admin/projects/project/{PROJECT}/history/",
        f"/admin/projects/project/{PROJECT}/print/",
        f"/admin/projects/milestone/{PROJECT}/M9/change/",
        "/admin/projects/milestone/",
        "/admin/registry/storedevent/",
    ],
)
def test_no_admin_page_passes_on_an_override_or_a_line_break_recorded_long_ago(
    reader: Client, old_data: None, path: str
) -> None:
    response = reader.get(path, secure=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert [c for c in INVISIBLE if c in html] == []


def test_sentences_keep_the_words_and_raw_data_shows_the_characters_escaped(
    reader: Client, old_data: None
) -> None:
    html = reader.get(f"/admin/projects/project/{PROJECT}/history/", secure=True).content.decode()
    stored = reader.get("/admin/registry/storedevent/?stream_type=organisation", secure=True)
    (event,) = re.findall(
        r'href="(/admin/registry/storedevent/\d+/change/)', stored.content.decode()
    )[-1:]
    raw = reader.get(event, secure=True).content.decode()

    assert "Pilot live now here" in html  # the sentence, on one line
    assert "\\u2028" in html  # the recorded data, escaped
    assert "\\u0085" in html
    assert "\\u202elive" in raw
