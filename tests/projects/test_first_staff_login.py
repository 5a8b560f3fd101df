"""``first_staff_login``: a first login on a fresh database, and only there."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_a_fresh_database_gets_a_staff_login_whose_password_is_printed_once() -> None:
    out = io.StringIO()

    call_command("first_staff_login", url="http://127.0.0.1:8000/admin/", stdout=out)

    printed = out.getvalue()
    password = re.search(r"Password: (\S+)", printed)
    assert password is not None
    assert "http://127.0.0.1:8000/admin/" in printed
    user = authenticate(username="liaison", password=password.group(1))
    assert user is not None
    assert user.is_staff
    assert user.is_superuser


def test_a_database_with_users_gets_no_new_login() -> None:
    User.objects.create_user("existing", password="a-long-password")
    out = io.StringIO()

    call_command("first_staff_login", stdout=out)

    assert User.objects.count() == 1
    assert "Password" not in out.getvalue()
