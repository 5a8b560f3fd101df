"""``registry.forked``: a check in a process of its own, beside the caller's work.

``verify_ledger`` hashes the chain in a forked child while it replays for drift. The
child must read what the caller reads (committed rows, through its own connection), hand
back its result or its error, and never run where it would read something else: inside
a transaction, whose rows only the caller's connection sees, it runs in the caller.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from registry import forked, store
from tests.registry.factories import open_counter


def _count_and_pid() -> tuple[int, int]:
    return store.head()[0], os.getpid()


def _refuse() -> None:
    raise ValueError("the child refuses")


@pytest.mark.django_db(transaction=True)
def test_the_work_runs_in_a_child_reading_the_committed_log() -> None:
    open_counter("a", "1", "2")
    assert forked.can_fork()

    with forked.beside(_count_and_pid) as outcome:
        here = store.head()[0]  # the caller's connection was closed and opens again

    count, pid = outcome.result()
    assert (count, here) == (3, 3)
    assert pid != os.getpid()


@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_child_is_raised_by_its_outcome() -> None:
    with forked.beside(_refuse) as outcome:
        pass

    with pytest.raises(ValueError, match="the child refuses"):
        outcome.result()


@pytest.mark.django_db(transaction=True)
def test_the_outcome_cannot_be_read_inside_the_block() -> None:
    with forked.beside(_count_and_pid) as outcome, pytest.raises(RuntimeError, match="not ended"):
        outcome.result()


@pytest.mark.django_db
def test_inside_a_transaction_the_work_runs_here_after_the_block() -> None:
    open_counter("a", "1")  # not committed: only this connection sees it
    assert connection.in_atomic_block
    assert not forked.can_fork()

    with forked.beside(_count_and_pid) as outcome:
        pass

    assert outcome.result() == (2, os.getpid())
