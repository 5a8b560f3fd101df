"""A projector and a subscriber over the test events, registered by fixtures only."""

from __future__ import annotations

from registry.events import Envelope, RecordedEvent
from registry.guards import projecting
from registry.projections import Projector
from registry.rows import Add, Rows
from registry.subscriptions import Subscriber
from tests.registry.events import CounterAdded, CounterOpened
from tests.registry.testapp.models import Counter, Notice

# Each counter's row is its stream's: a rebuild may replay it in parts.
counters = Projector(name="test.counters", models=[Counter], stream_local=True)


@counters.on(CounterOpened)
def _counter_opened(env: Envelope[CounterOpened], rows: Rows) -> None:
    rows.insert(Counter, name=env.stream_id, label=env.event.label, events=1)


@counters.on(CounterAdded)
def _counter_added(env: Envelope[CounterAdded], rows: Rows) -> None:
    rows.update(Counter, env.stream_id, total=Add(env.event.amount), events=Add(1))


def notices_subscriber(name: str = "test.notices", *, fail_at: int | None = None) -> Subscriber:
    """Return a subscriber writing one Notice per counter event (raising at ``fail_at``)."""
    subscriber = Subscriber(name=name)

    @subscriber.on(CounterOpened, CounterAdded)
    def _notice(event: RecordedEvent[CounterOpened | CounterAdded]) -> None:
        with projecting():
            Notice.objects.create(
                position=event.position,
                stream_id=event.stream_id,
                event_type=event.event.event_type,
            )
        if event.position == fail_at:
            raise RuntimeError(f"handler failed at position {event.position}")

    return subscriber
