"""``ensure_roles``: create the staff groups and set their permissions (safe to repeat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from projects.roles import ensure_roles


class Command(BaseCommand):
    help = "Create the 'Liaison officers' and 'Read-only observers' groups with their permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in ensure_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
