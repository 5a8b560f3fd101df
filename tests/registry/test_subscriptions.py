"""Subscribers: process the log after their checkpoint, saving it with their own writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from registry import subscriptions
from registry.models import Checkpoint
from registry.subscriptions import Subscriber
from tests.registry.factories import add, open_counter
from tests.registry.testapp.models import Notice

pytestmark = pytest.mark.django_db


def _noticed() -> list[int]:
    return list(Notice.objects.order_by("position").values_list("position", flat=True))


def test_a_subscriber_processes_every_event_and_saves_its_checkpoint(
    subscribe: Callable[..., Subscriber],
) -> None:
    subscribe()
    open_counter("a", "1", "2")
    open_counter("b")

    processed = subscriptions.process("test.notices", batch_size=3)

    assert processed == 4
    assert _noticed() == [1, 2, 3, 4]
    assert subscriptions.checkpoint("test.notices") == 4


def test_processing_again_changes_nothing(subscribe: Callable[..., Subscriber]) -> None:
    subscribe()
    open_counter("a", "1", "2")
    subscriptions.process("test.notices", batch_size=2)
    saved = Checkpoint.objects.get(name="test.notices").position

    assert subscriptions.process("test.notices", batch_size=2) == 0
    assert _noticed() == [1, 2, 3]
    assert subscriptions.checkpoint("test.notices") == saved == 3


def test_a_subscriber_picks_up_only_what_was_appended_since(
    subscribe: Callable[..., Subscriber],
) -> None:
    subscribe()
    open_counter("a", "1")
    subscriptions.process("test.notices")

    add("a", "2", expected_version=2)
    open_counter("b")

    assert subscriptions.process("test.notices") == 2
    assert _noticed() == [1, 2, 3, 4]


def test_a_handler_failing_mid_batch_moves_neither_writes_nor_checkpoint(
    subscribe: Callable[..., Subscriber],
) -> None:
    subscribe(fail_at=5)
    open_counter("a", "1", "2", "3", "4", "5", "6")

    with pytest.raises(RuntimeError, match="handler failed at position 5"):
        subscriptions.process("test.notices", batch_size=3)

    assert _noticed() == [1, 2, 3]
    assert subscriptions.checkpoint("test.notices") == 3

    subscribe()  # the handler is fixed
    assert subscriptions.process("test.notices", batch_size=3) == 4
    assert _noticed() == [1, 2, 3, 4, 5, 6, 7]
    assert subscriptions.checkpoint("test.notices") == 7


def test_max_batches_bounds_one_run(subscribe: Callable[..., Subscriber]) -> None:
    subscribe()
    open_counter("a", "1", "2", "3", "4")

    assert subscriptions.process("test.notices", batch_size=2, max_batches=1) == 2
    assert subscriptions.checkpoint("test.notices") == 2
    assert subscriptions.process("test.notices", batch_size=2, max_batches=5) == 3
    assert _noticed() == [1, 2, 3, 4, 5]


def test_subscribers_keep_separate_checkpoints(subscribe: Callable[..., Subscriber]) -> None:
    subscribe()
    subscriptions.register(Subscriber(name="test.deaf"))
    try:
        open_counter("a", "1")
        subscriptions.process("test.notices")
        add("a", "2", expected_version=2)

        assert subscriptions.process("test.deaf") == 3
    finally:
        subscriptions.unregister("test.deaf")

    assert subscriptions.checkpoint("test.notices") == 2
    assert subscriptions.checkpoint("test.deaf") == 3
    assert _noticed() == [1, 2]


def test_events_a_subscriber_does_not_handle_still_move_its_checkpoint() -> None:
    subscriptions.register(Subscriber(name="test.deaf"))
    try:
        open_counter("a", "1")
        assert subscriptions.process("test.deaf") == 2
    finally:
        subscriptions.unregister("test.deaf")

    assert subscriptions.checkpoint("test.deaf") == 2
    assert _noticed() == []
