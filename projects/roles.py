"""The staff roles of the registry: liaison officers and read-only observers.

Groups hold permissions on the read models; the admin reads "add" and "change" on a
model as leave to run its commands (the rows themselves are never saved). Officers also
read who receives which mail and what was sent (view only: changing other people's
subscriptions stays with those granted it). Everyone with admin access keeps their own
name, address and mail settings on "My account", whatever their group. The groups
are created, and their permissions set, idempotently after every ``migrate`` and by
``python manage.py ensure_roles``; nobody sets them up by hand.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LIAISON_OFFICERS = "Liaison officers"
OBSERVERS = "Read-only observers"

GROUP_LABELS: dict[str, Promise] = {
    LIAISON_OFFICERS: _("Liaison officers"),
    OBSERVERS: _("Read-only observers"),
}


def group_label(name: str) -> str:
    """Return a staff group's name in the reader's language (other groups as named)."""
    return str(GROUP_LABELS.get(name, name))


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
# The mail officers read: every recipient's subscriptions and the dispatch log.
MAIL_MODELS = (("notifications", "subscription"), ("notifications", "dispatch"))
# Partners' webhooks and their deliveries: officers read them and may send one again.
WEBHOOK_MODELS = (("webhooks", "partnerwebhook"), ("webhooks", "delivery"))
Grant = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]  # (models, actions)
ROLES: dict[str, tuple[Grant, ...]] = {
    LIAISON_OFFICERS: (
        (REGISTRY_MODELS, ("view", "add", "change")),
        (MAIL_MODELS, ("view",)),
        (WEBHOOK_MODELS, ("view", "change")),
    ),
    OBSERVERS: ((REGISTRY_MODELS, ("view",)),),
}
APP_LABELS = sorted({app for app, _model in (*REGISTRY_MODELS, *MAIL_MODELS, *WEBHOOK_MODELS)})


def _permissions(grants: tuple[Grant, ...]) -> list[Permission]:
    wanted = {
        (app, f"{action}_{model}")
        for models, actions in grants
        for app, model in models
        for action in actions
    }
    found = Permission.objects.filter(content_type__app_label__in=APP_LABELS).select_related(
        "content_type"
    )
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles() -> dict[str, int]:
    """Create the staff groups if missing and give each exactly its permissions."""
    # ``migrate`` creates an app's permissions when it reaches that app; the roles name
    # models of apps that may come later in INSTALLED_APPS, so create theirs first.
    for label in APP_LABELS:
        create_permissions(apps.get_app_config(label), verbosity=0)
    counts = {}
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = _permissions(grants)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """Keep the staff groups in step after ``migrate`` (a post_migrate receiver)."""
    ensure_roles()
