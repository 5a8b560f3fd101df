"""A throwaway app whose read models the event store's tests project into."""

from __future__ import annotations

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.registry.testapp"
    label = "registry_testapp"
    verbose_name = "Event store test read models"
    default_auto_field = "django.db.models.BigAutoField"
