"""What a caller may do: read projects (partners, and staff with the admin's view right),
and report on milestones (partners only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from projects.api.authentication import Caller


class IsCaller(BasePermission):
    """Any valid token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """Return True for a request authenticated by an API token."""
        return isinstance(request.user, Caller)


class MayViewProjects(IsCaller):
    """Partners, and staff whose account may view projects in the admin."""

    message = _("This staff account may not view projects in the admin, so its token may not.")

    def has_permission(self, request: Request, view: Any) -> bool:
        """Return True if the caller may read projects."""
        return super().has_permission(request, view) and request.user.may_view_projects()  # type: ignore[union-attr]


class IsPartner(IsCaller):
    """Partner organisations only: claims are theirs to make."""

    message = _(
        "Only a partner organisation's token may report on milestones; liaison officers "
        "record claims in the admin."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        """Return True for a partner organisation's token."""
        return super().has_permission(request, view) and request.user.is_partner  # type: ignore[union-attr]
