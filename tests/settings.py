"""Settings for the test suite: the project's own, plus the event store's test app."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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

# On SQLite, test in a file as the registry runs (WAL, busy timeout), not in Django's
# shared-cache memory database: there a worker thread and the test thread collide on
# table locks ("database table is locked") that no timeout waits out.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_registry.sqlite3")}  # noqa: F405

# Tree heads are signed with a key made for this run: no private key lives in the repository.
REGISTRY_SIGNING_KEY = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()

# Webhook receivers in the tests listen on 127.0.0.1 over plain HTTP; the SSRF tests turn
# this off to see the refusals.
WEBHOOK_ALLOW_PRIVATE = True
