"""Fixtures of the report door's tests: the small registry of the notification tests."""

from __future__ import annotations

from tests.notifications.conftest import inbox, world

__all__ = ["inbox", "world"]
