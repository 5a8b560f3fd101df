"""CSRF: an admin form posted without the page's token is refused and writes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from projects.roles import LIAISON_OFFICERS
from registry.models import StoredEvent
from tests.projects.admin.conftest import staff_client
from tests.projects.admin.test_register import ADD, _page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


def test_a_project_posted_without_the_csrf_token_is_refused_and_with_it_recorded() -> None:
    officer = staff_client(Client(enforce_csrf_checks=True), "officer", LIAISON_OFFICERS)
    officer.get(ADD, secure=True)  # sets the CSRF cookie, as the browser's visit does
    token = officer.cookies[settings.CSRF_COOKIE_NAME].value

    # Over HTTPS, Django also wants the request to come from the site's own page.
    same_site = {"Referer": f"https://testserver{ADD}"}
    forged = officer.post(ADD, _page(), secure=True, headers=same_site)
    wrong = officer.post(
        ADD, {**_page(), "csrfmiddlewaretoken": "x" * 64}, secure=True, headers=same_site
    )
    assert (forged.status_code, wrong.status_code) == (403, 403)
    assert not StoredEvent.objects.filter(stream_id="HKZJ-2025-AI-21").exists()

    genuine = officer.post(
        ADD, {**_page(), "csrfmiddlewaretoken": token}, secure=True, headers=same_site
    )
    assert genuine.status_code == 302
    assert StoredEvent.objects.filter(stream_id="HKZJ-2025-AI-21").exists()
