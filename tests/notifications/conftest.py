"""Fixtures of the notification tests: a small registry with people, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.smtp import Inbox, send_mail_to, smtp_server
from tests.notifications.world import World, build_world
from tests.projects import seeding


@pytest.fixture
def world(db: None) -> World:
    """The small registry, built for one test."""
    return build_world()


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on localhost that Django's mail goes to for one test."""
    with smtp_server() as (server, port):
        send_mail_to(settings, port)
        yield server


@pytest.fixture(scope="module")
def founding_set(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The hk_zj_2025 seed set with its contacts, loaded by ``load_seeds`` for the module."""
    with seeding.held(django_db_blocker, seeding.load_founding_set) as output:
        yield output
