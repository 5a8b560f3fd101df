"""Settings for the test suite: the project's own, plus the event store's test app."""

from __future__ import annotations

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.registry.testapp"]  # noqa: F405

# The live server of the browser tests speaks plain HTTP on localhost.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Tests render pages without running collectstatic first: no manifest of hashed names.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASE_MIGRATE_URL = ""  # tests migrate their database as the connection they run on

# Plain log lines in test output (production writes JSON: tests/config/test_request_context.py).
LOGGING["handlers"]["console"]["formatter"] = "plain"  # noqa: F405
