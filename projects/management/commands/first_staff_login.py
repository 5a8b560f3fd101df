"""``first_staff_login``: on a database with no users, create a staff login and print it."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create a first superuser with a random password when the database has no users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="liaison")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args: Any, username: str, url: str, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.exists():
            self.stdout.write(f"Admin: {url} (log in with an existing staff account)")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the first staff login.\n  URL:      {url}\n"
                f"  Username: {username}\n  Password: {password}\n"
                "Keep it safe: it is shown only once."
            )
        )
