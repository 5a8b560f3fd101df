"""Staff logins for the admin tests: a liaison officer and a read-only observer."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from projects.roles import LIAISON_OFFICERS, OBSERVERS


def staff_client(client: Client, username: str, group: str) -> Client:
    """Return ``client`` logged in as a staff member of ``group`` (not a superuser)."""
    user = User.objects.create_user(username, password="a-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def officer(client: Client) -> Client:
    """A liaison officer: may view, register and change."""
    return staff_client(client, "officer", LIAISON_OFFICERS)


@pytest.fixture
def observer(client: Client) -> Client:
    """A read-only observer: may view only."""
    return staff_client(client, "observer", OBSERVERS)


def formset(prefix: str, rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    """Return POST data of a formset with ``rows`` (each a dict of field values)."""
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def form_errors(response: Any) -> list[str]:
    """Return every error shown on a command page (for assertion messages)."""
    found: list[str] = []
    for section in (response.context or {}).get("sections", []):
        forms_ = []
        if section["command_form"] is not None:
            forms_.append(section["command_form"].form)
            for formset_ in section["command_form"].formsets.values():
                forms_.extend(formset_.forms)
        if section["rows"] is not None:
            forms_.extend(section["rows"].forms)
        found.extend(f"{name}: {error}" for f in forms_ for name, error in f.errors.items())
    return found
