"""Fixtures shared by the domain's integration tests: data loaded once per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.projects import builders, seeding


@pytest.fixture(scope="module")
def founding_set(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The hk_zj_2025 seed set, loaded through ``load_seeds`` once for the module."""
    with seeding.held(django_db_blocker, seeding.load_founding_set) as output:
        yield output


@pytest.fixture(scope="module")
def founding_set_restored(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The hk_zj_2025 seed set, restored from an earlier load's export when there is one."""
    with seeding.held(django_db_blocker, seeding.restore_founding_set):
        yield


@pytest.fixture(scope="module")
def founders(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The organisations and the mechanism agreement, registered once for the module."""
    with seeding.held(django_db_blocker, builders.register_founders):
        yield
