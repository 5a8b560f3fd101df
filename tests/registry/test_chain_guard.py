"""The database guards the chain against the application itself (both databases).

Whatever the store's code does, the log's tables refuse an event that does not continue
the chain from the ledger head and a head that does not advance to the last event
appended. As the application's role on PostgreSQL: ``tests/reliability/test_database_roles.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from registry import store
from registry.ledger import find_break
from tests.registry import attacks
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.factories import DAY, add, open_counter, purge_log
from tests.registry.testapp.models import Counter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log() -> tuple[int, str]:
    """A log of four events; returns its head."""
    open_counter("a", "1", "2")
    open_counter("b")
    return store.head()


@pytest.mark.parametrize("attack", attacks.ATTACKS.values(), ids=attacks.ATTACKS.keys())
def test_the_database_refuses_what_would_rewrite_the_chain(
    log: tuple[int, str], attack: Callable[[], None]
) -> None:
    with pytest.raises(DatabaseError, match="registry_"), transaction.atomic():
        attack()

    assert store.head() == log
    assert find_break(store.read_all_rows()) is None


def test_appends_go_on_after_each_refusal(log: tuple[int, str]) -> None:
    for attack in attacks.ATTACKS.values():
        with pytest.raises(DatabaseError), transaction.atomic():
            attack()
        add("a", "5", expected_version=None)

    assert store.head()[0] == log[0] + len(attacks.ATTACKS)
    assert find_break(store.read_all_rows()) is None


def test_an_append_of_several_events_is_accepted(counter_projection: object) -> None:
    result = store.append(
        "counter",
        "many",
        [CounterOpened("MANY"), *(CounterAdded(Decimal(n), DAY) for n in range(1, 6))],
        expected_version=0,
        metadata=meta(),
    )

    assert (result.first_position, result.last_position) == (1, 6)
    assert store.head() == (6, result.last_hash)
    assert Counter.objects.get(name="many").total == Decimal(15)


def test_a_new_head_names_the_empty_log_or_its_last_event() -> None:
    open_counter("a")
    purge_log()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_ledger_head (id, position, hash) VALUES (1, 3, %s)", ["a" * 64]
        )
    open_counter("b")

    assert store.head()[0] == 1
    assert find_break(store.read_all_rows()) is None
