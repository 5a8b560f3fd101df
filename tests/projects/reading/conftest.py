"""Officers for the reading pages: one who may view the registry, one who may not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from projects.domain import RescheduleMilestone
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

PASSWORD = "a-long-password"


@pytest.fixture
def officer() -> User:
    """A liaison officer who may view the registry's records (and change nothing)."""
    user = User.objects.create_user(
        "chan", "chan@example.org", PASSWORD, first_name="Tai-man", last_name="Chan", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="projects", codename__startswith="view_")
    )
    return user


@pytest.fixture
def reader(client: Client, officer: User) -> Client:
    """A client logged in as the viewing officer."""
    client.force_login(officer)
    return client


@pytest.fixture
def outsider(client: Client) -> Client:
    """A client logged in as staff without any permission on the registry."""
    client.force_login(User.objects.create_user("lee", "lee@example.org", PASSWORD, is_staff=True))
    return client


def reschedule_many(times: int, *, code: str = PROJECT) -> None:
    """Move M1 back and forth ``times`` times: a long stream for paging."""
    for n in range(times):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=n % 2)
        builders.run(RescheduleMilestone(code, "M1", day, f"move {n + 1}"))
