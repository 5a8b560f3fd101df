"""Running one read-only check in a forked process of its own, beside the caller's work.

``verify_ledger`` has two long checks that share nothing but the log they read: the
hash chain and the Merkle tree (hashing), and the drift check (a replay). In one
process they take the sum of their times; in two they take the longer one, on a
machine with a core to spare. :func:`beside` forks this process (Django is set up, the
child starts at once), after closing this process's database connections so that the
child opens its own: a connection is never shared between processes.

Where a fork would see something else than the caller does, the work runs in this
process instead, after the block: inside a transaction (its uncommitted rows are this
connection's alone), on an in-memory SQLite database (the child's would be empty), or
in a daemonic process (a Celery worker's child may not have children of its own).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

T = TypeVar("T")


def can_fork() -> bool:
    """Return True if work forked from here reads what this process reads."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:
        return False
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            return False
    for alias in connections:
        connection = connections[alias]
        if isinstance(connection, SQLiteWrapper) and connection.is_in_memory_db():
            return False
    return True


class Outcome(Generic[T]):
    """What the forked work returned or raised, once the block has ended."""

    def __init__(self) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._done = False

    def _set(self, value: Any, error: BaseException | None) -> None:
        self._value, self._error, self._done = value, error, True

    def result(self) -> T:
        """Return what the work returned, or raise what it raised."""
        if not self._done:
            raise RuntimeError("the work has not ended: read its outcome after the block")
        if self._error is not None:
            raise self._error
        value: T = self._value
        return value


def _run(work: Callable[[], Any], sending: Connection) -> None:
    try:
        outcome: tuple[Any, BaseException | None] = (work(), None)
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = (None, exc)
    finally:
        for connection in connections.all(initialized_only=True):
            connection.close()
    try:
        sending.send(outcome)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        sending.send((None, RuntimeError(f"the forked work's outcome is not picklable: {exc}")))
    sending.close()


@contextlib.contextmanager
def beside(
    work: Callable[[], T], *, waiting: Callable[[], None] | None = None
) -> Iterator[Outcome[T]]:
    """Run ``work`` in a forked child while the block runs; its outcome is read after.

    When forking would not see what this process sees (:func:`can_fork`), ``work`` runs
    here once the block has ended. Either way the outcome holds its result or its error.
    ``waiting`` is called every half second while the block has ended and the child
    has not (to show its progress, say).
    """
    outcome: Outcome[T] = Outcome()
    if not can_fork():
        yield outcome
        try:
            outcome._set(work(), None)
        except Exception as exc:
            outcome._set(None, exc)
        return
    connections.close_all()  # the child opens its own; this process reconnects when used
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(work, sending), name="registry-check")
    child.start()
    sending.close()
    try:
        yield outcome
        while not receiving.poll(0.5):
            if waiting is not None:
                waiting()
            if not child.is_alive() and not receiving.poll():
                break
        try:
            value, error = receiving.recv()
        except EOFError:  # it died before answering (killed, out of memory)
            child.join()
            value, error = (
                None,
                RuntimeError(
                    f"the forked work ended without an answer (exit code {child.exitcode})"
                ),
            )
        outcome._set(value, error)
    finally:
        if outcome._done:
            child.join()
        else:  # the block failed: the child's work is no longer wanted
            child.terminate()
            child.join()
        receiving.close()
