"""Refusals in the log: each 403 as one line without a traceback; failed logins limited."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.projects.admin.conftest import staff_client

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_once_as_one_line(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    observer = staff_client(client, "observer", "Read-only observers")
    caplog.set_level(logging.INFO)

    response = observer.get("/admin/projects/project/add/", secure=True)

    assert response.status_code == 403
    # Every request also gets its access line (registry.access, INFO); that is not a
    # record of the refusal.
    forbidden = [
        r
        for r in caplog.records
        if r.name != "registry.access" and ("403" in r.getMessage() or r.levelno >= logging.WARNING)
    ]
    assert len(forbidden) == 1
    record = forbidden[0]
    assert record.name == "registry.forbidden"
    assert record.exc_info is None
    assert "\n" not in record.getMessage()
    assert "GET /admin/projects/project/add/ by observer" in record.getMessage()


def test_a_failed_csrf_check_is_logged_once_too(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(enforce_csrf_checks=True)
    caplog.set_level(logging.INFO)

    response = client.post("/admin/login/", {"username": "x", "password": "y"}, secure=True)

    assert response.status_code == 403
    assert [r.name for r in caplog.records if r.levelno >= logging.WARNING] == [
        "registry.forbidden"
    ]


def test_repeated_failed_logins_lock_the_account_and_are_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.create_user("liaison", password="the-right-password", is_staff=True)
    caplog.set_level(logging.INFO)

    answers = [
        client.post(
            "/admin/login/?next=/admin/", {"username": "liaison", "password": "wrong"}, secure=True
        ).status_code
        for _ in range(5)
    ]
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "liaison", "password": "the-right-password"},
        secure=True,
    )

    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    axes = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert sum("login failed" in m for m in axes) == 6  # the try while locked counts too
    assert any("Locking out" in m and 'username: "liaison"' in m for m in axes)
