"""The staff roles of the registry: liaison officers and read-only observers.

Groups hold permissions on the read models; the admin reads "add" and "change" on a
model as leave to run its commands (the rows themselves are never saved). The groups
are created, and their permissions set, idempotently after every ``migrate`` and by
``python manage.py ensure_roles``; nobody sets them up by hand.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

LIAISON_OFFICERS = "Liaison officers"
OBSERVERS = "Read-only observers"

# The models staff work with, as (app label, model name).
REGISTRY_MODELS = (
    ("projects", "organisation"),
    ("projects", "agreement"),
    ("projects", "project"),
    ("projects", "participation"),
    ("projects", "milestone"),
    ("projects", "milestonereschedule"),
    ("registry", "storedevent"),
    # Officers let partners in: they issue and revoke the partners' API tokens.
    ("api", "apitoken"),
)
ROLES: dict[str, tuple[str, ...]] = {
    LIAISON_OFFICERS: ("view", "add", "change"),
    OBSERVERS: ("view",),
}


def _permissions(actions: tuple[str, ...]) -> list[Permission]:
    wanted = {(app, f"{action}_{model}") for app, model in REGISTRY_MODELS for action in actions}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in REGISTRY_MODELS}
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles() -> dict[str, int]:
    """Create the staff groups if missing and give each exactly its permissions."""
    # ``migrate`` creates an app's permissions when it reaches that app; the roles name
    # models of apps that may come later in INSTALLED_APPS, so create theirs first.
    for label in sorted({app for app, _ in REGISTRY_MODELS}):
        create_permissions(apps.get_app_config(label), verbosity=0)
    counts = {}
    for name, actions in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = _permissions(actions)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """Keep the staff groups in step after ``migrate`` (a post_migrate receiver)."""
    ensure_roles()
