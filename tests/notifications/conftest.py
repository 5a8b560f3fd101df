"""Fixtures of the notification tests: a small registry with people, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from testkit.smtp import Inbox, send_mail_to, smtp_server
from tests.notifications.world import World, build_world
from tests.projects import seeding
from tests.projects.conftest import founding_set

__all__ = ["founding_set"]  # the seed set with its contacts, loaded once for a module


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The small registry, built once for a module; each test's changes are rolled back."""
    with seeding.held(django_db_blocker, build_world) as built:
        yield built


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on localhost that Django's mail goes to for one test."""
    with smtp_server() as (server, port):
        send_mail_to(settings, port)
        yield server
