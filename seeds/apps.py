"""App configuration for the seed data sets and their loader."""

from __future__ import annotations

from django.apps import AppConfig


class SeedsConfig(AppConfig):
    name = "seeds"
    verbose_name = "Seed data"
