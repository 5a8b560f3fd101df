"""Data that several tests only read, set up once and rolled back afterwards.

Loading the founding data set (hk_zj_2025) runs some 800 commands and takes seconds,
so a module (or class) loads it once: inside the kind of transaction that
``TestCase.setUpTestData`` holds open, in which each test then runs in its own
savepoint; the whole load is rolled back when the module is done. Nothing is ever
committed, so tests elsewhere still start from an empty log.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.core.management import call_command
from django.test import TestCase

from registry import transfer

T = TypeVar("T")

# The export of the first full load in this test session: later modules import it,
# which replays the log into the read models instead of deciding every command again.
_founding_export: list[bytes] = []


@contextlib.contextmanager
def held(django_db_blocker: Any, setup: Callable[[], T]) -> Iterator[T]:
    """Run ``setup`` in a transaction that tests nest in; roll it back on leaving."""
    outcome: list[T] = []

    class Holder(TestCase):
        databases = {"default"}

        @classmethod
        def setUpTestData(cls) -> None:
            outcome.append(setup())

    with django_db_blocker.unblock():
        try:
            Holder.setUpClass()  # rolls its transaction back itself if ``setup`` fails
        except BaseException:
            Holder.doClassCleanups()
            raise
    try:
        yield outcome[0]
    finally:
        with django_db_blocker.unblock():
            Holder.tearDownClass()
            Holder.doClassCleanups()


def load_founding_set() -> str:
    """Load the founding data set through ``load_seeds``; return what the command said."""
    out = io.StringIO()
    call_command("load_seeds", stdout=out)
    _founding_export[:] = transfer.export_lines()
    return out.getvalue()


def restore_founding_set() -> None:
    """Bring back the founding data set: import an earlier load's export, or load it."""
    if _founding_export:
        transfer.import_lines(_founding_export)
    else:
        load_founding_set()
