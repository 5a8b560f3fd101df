"""HTTPS only, secure cookies and HSTS, with the production settings module.

The settings are read from the environment when the process starts, so a child process
gets the same environment ``tests/config/test_deploy.py`` checks with ``check --deploy``
(behind a TLS proxy that says ``X-Forwarded-Proto: https``) and an empty SQLite database
of its own; it asks the admin through Django's test client and reports what came back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.config.test_deploy import BASE_DIR, PRODUCTION

# Run in the child: migrate, then a plain request, an API call and a login over HTTPS.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
User.objects.create_user("liaison", password="a-long-password", is_staff=True)
https = {"HTTP_X_FORWARDED_PROTO": "https"}
plain = Client().get("/admin/login/")
page = Client().get("/api/v1/sectors/", **https)
# The test client skips the CSRF check (the admin's own test shows it enforced), so the
# login needs no page first (whose static files would need collectstatic here).
login = Client().post(
    "/admin/login/?next=/admin/",
    {"username": "liaison", "password": "a-long-password"},
    **https,
)
cookies = {
    name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
           "samesite": c["samesite"]}
    for name, c in login.cookies.items()
}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "page": [page.status_code, page.get("Strict-Transport-Security")],
    "login": [login.status_code, login.get("Location")],
    "cookies": cookies,
    "names": [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME],
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Return what the admin answered under the production settings."""
    scratch = tmp_path_factory.mktemp("production-settings")
    harness = {"REGISTRY_VAR_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in harness}
    env.update(
        PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        REGISTRY_VAR_DIR=str(scratch),
        ALLOWED_HOSTS="testserver",
        CSRF_TRUSTED_ORIGINS="https://testserver",
    )
    del env["DATABASE_URL"]  # the embedded SQLite, in the scratch folder
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_plain_http_is_sent_to_https(production: dict[str, Any]) -> None:
    assert production["plain"] == [301, "https://testserver/admin/login/"]


def test_https_answers_carry_hsts_for_a_year_with_subdomains_and_preload(
    production: dict[str, Any],
) -> None:
    # The API refuses the call (no token): refusals carry the header too.
    assert production["page"] == [401, "max-age=31536000; includeSubDomains; preload"]


def test_session_and_csrf_cookies_are_sent_only_over_https(production: dict[str, Any]) -> None:
    session, csrf = production["names"]

    assert production["login"] == [302, "/admin/"]  # logged in: the session cookie is set
    assert set(production["cookies"]) == {session, csrf}
    assert production["cookies"][session] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["cookies"][csrf]["secure"] is True
