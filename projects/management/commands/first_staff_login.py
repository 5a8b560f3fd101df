"""``first_staff_login``: on a database with no users, create a liaison officer and print it.

The login is staff in the "Liaison officers" group, not a superuser: an administrator
is made with ``python manage.py createsuperuser``. It has a fictitious address at the
reserved ``example.org`` domain, so the staff mail (reminders of claims awaiting
confirmation, the digest of every project) shows in the worker's output from the start.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from projects.roles import LIAISON_OFFICERS, ensure_roles


class Command(BaseCommand):
    help = "Create a first liaison officer login with a random password when there are no users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="liaison")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")
        parser.add_argument("--email", default="liaison@example.org")

    def handle(self, *args: Any, username: str, url: str, email: str, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.exists():
            self.stdout.write(f"Admin: {url} (log in with an existing staff account)")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            ensure_roles()
            user = user_model.objects.create_user(
                username=username, email=email, password=password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the first liaison officer login ({LIAISON_OFFICERS}, not an "
                f"administrator).\n  URL:      {url}\n"
                f"  Username: {username}\n  Password: {password}\n"
                f"  Email:    {email} (staff reminders and digests go there; "
                "change it on My account)\n"
                "Keep it safe: it is shown only once. "
                "An administrator is made with: python manage.py createsuperuser"
            )
        )
