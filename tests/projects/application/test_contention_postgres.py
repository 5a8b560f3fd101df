"""Eight writers hammering one project without expected versions, on PostgreSQL.

Each thread has its own connection, as web processes and workers do. A command sent
without an expected version means "apply this on top of whatever is there": under
contention ``handle`` must retry until it gets in, so every command succeeds.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from projects import models as rm
from projects.application import unit_of_work
from projects.domain import Currency, Money, SetProjectBudget
from registry import store
from registry.ledger import find_break
from tests.projects import builders
from tests.projects.builders import PROJECT, run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 8
COMMANDS = 12


def _budget(writer: int, n: int) -> SetProjectBudget:
    amount = Decimal(1_000_000 + writer * 1000 + n)
    return SetProjectBudget(PROJECT, Money(amount, Currency.HKD), reason=f"revision {writer}.{n}")


@pytest.mark.parametrize("door", [False, True], ids=["on-its-own", "in-a-unit-of-work"])
def test_eight_writers_on_one_project_without_expected_versions_all_succeed(door: bool) -> None:
    builders.register_founders()
    builders.register_project()
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(i: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '20s'")  # a deadlock fails, never hangs
            start.wait(timeout=10)
            for n in range(COMMANDS):
                try:
                    if door:  # in a unit of work, as the admin's Add project runs commands
                        with unit_of_work():
                            run(_budget(i, n))
                    else:  # on its own, as every other door calls it
                        run(_budget(i, n))
                except Exception as exc:
                    failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a writer did not finish in time"

    assert failures == [], (
        f"{len(failures)} of {WRITERS * COMMANDS} commands failed: {failures[0]!r}"
    )
    events = store.read_stream("project", PROJECT)
    budgets = [e for e in events if e.event.event_type == "ProjectBudgetSet"]
    assert len(budgets) == WRITERS * COMMANDS
    assert rm.Project.objects.get(code=PROJECT).version == len(events)
    assert find_break(store.read_all_rows()) is None
