"""``first_staff_login``: a first login on a fresh database, and only there."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from projects.roles import LIAISON_OFFICERS

pytestmark = pytest.mark.django_db


def test_a_fresh_database_gets_a_liaison_officer_whose_password_is_printed_once() -> None:
    out = io.StringIO()

    call_command("first_staff_login", url="http://127.0.0.1:8000/admin/", stdout=out)

    printed = out.getvalue()
    password = re.search(r"Password: (\S+)", printed)
    assert password is not None
    assert "http://127.0.0.1:8000/admin/" in printed
    user = User.objects.get(username="liaison")
    assert user.check_password(password.group(1))
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [LIAISON_OFFICERS]
    assert user.has_perm("projects.add_organisation")
    assert user.has_perm("projects.change_project")
    assert not user.has_perm("projects.delete_project")


def test_a_database_with_users_gets_no_new_login() -> None:
    User.objects.create_user("existing", password="a-long-password")
    out = io.StringIO()

    call_command("first_staff_login", stdout=out)

    assert User.objects.count() == 1
    assert "Password" not in out.getvalue()
