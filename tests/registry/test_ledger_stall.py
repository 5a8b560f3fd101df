"""A transaction stalls while holding the ledger head (PostgreSQL).

Other writers wait at most the lock timeout, then fail with LedgerBusy having written
nothing; readers of the log are not blocked and see only committed events, gap-free,
whether the stalled transaction finally commits or rolls back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from registry import store
from registry.errors import LedgerBusy
from tests.registry.factories import open_counter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 0.5


class _Rollback(Exception):
    pass


class Stall:
    """A thread (own connection) that appends, then holds its transaction until released."""

    def __init__(self, stream: str, *, commit: bool) -> None:
        self.stream, self.commit = stream, commit
        self.holding, self.release = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, name="stalled-writer")

    def _run(self) -> None:
        try:
            with transaction.atomic():
                open_counter(self.stream)
                self.holding.set()
                self.release.wait(30)
                if not self.commit:
                    raise _Rollback
        except _Rollback:
            pass
        except BaseException as error:
            self.errors.append(error)
            self.holding.set()
        finally:
            connection.close()

    def __enter__(self) -> Stall:
        self.thread.start()
        assert self.holding.wait(10), "the stalled writer did not start"
        assert not self.errors, self.errors
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the stalled writer did not finish"
        assert not self.errors, self.errors


@pytest.fixture(autouse=True)
def _short_lock_timeout(settings: Any) -> None:
    settings.REGISTRY_LEDGER_LOCK_TIMEOUT = TIMEOUT


def _positions(after: int = 0) -> list[int]:
    return [event.position for event in store.read_all(after=after)]


@pytest.mark.parametrize("commit", [True, False], ids=["stall-then-commit", "stall-then-rollback"])
def test_writers_behind_a_stalled_head_fail_cleanly_and_readers_see_no_gap(
    commit: bool, record_property: Any
) -> None:
    open_counter("before", "1")
    committed = store.head()[0]

    with Stall("stalled", commit=commit):
        started = time.monotonic()
        with pytest.raises(LedgerBusy, match=r"more than 0\.5 s; nothing was written"):
            open_counter("blocked")
        waited = time.monotonic() - started
        read_started = time.monotonic()
        seen = _positions()
        read_took = time.monotonic() - read_started

        assert store.stream_version("counter", "blocked") == 0
        assert seen == list(range(1, committed + 1)), "readers see the committed prefix only"
        assert store.head()[0] == committed
        assert read_took < TIMEOUT, "reading the log does not wait for the head"
        assert TIMEOUT <= waited < TIMEOUT + 2, f"the writer was refused after {waited:.2f} s"

    open_counter("after")
    later = _positions(after=seen[-1])
    stalled = 1 if commit else 0
    assert later == list(range(committed + 1, committed + 2 + stalled)), "no gap, no repeat"
    assert store.stream_version("counter", "stalled") == stalled
    call_command("verify_ledger", verbosity=0)
    record_property(f"ledger_busy_after_s_{'commit' if commit else 'rollback'}", f"{waited:.3f}")


def test_an_append_leaves_the_callers_lock_timeout_as_it_was() -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '7s'")
        open_counter("mine")
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "7s"
