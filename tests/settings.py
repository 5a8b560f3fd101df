"""Settings for the test suite: the project's own, plus the event store's test app."""

from __future__ import annotations

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.registry.testapp"]  # noqa: F405
