"""Event classes, their registry by type name and schema version, and upcasters.

Pure Python (no Django import), so domain code can define events and fold them in
tests that need no database.

Define an event as a frozen dataclass::

    @dataclass(frozen=True)
    class MilestoneRescheduled(Event, version=2):
        milestone_id: str
        due_date: date

The type name defaults to the class name. Constructing an event type-checks every
field and calls :meth:`Event.validate`; a bad payload raises EventValidationError and
nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

from registry import limits, serde
from registry.errors import EventValidationError, UnknownEventType

_EVENT_TYPES: dict[str, type[Event]] = {}
_UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class Event(serde.Value):
    """Base class of every event: an immutable, validated, registered fact."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int]
    # What was recorded once stays readable: rules for new input only are not applied.
    records_history: ClassVar[bool] = True

    def __init_subclass__(cls, *, name: str | None = None, version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = name or cls.__name__
        cls.schema_version = version
        existing = _EVENT_TYPES.get(cls.event_type)
        # The same class may be re-created (dataclass slots, module reload); another may not.
        same = existing is not None and (existing.__module__, existing.__qualname__) == (
            cls.__module__,
            cls.__qualname__,
        )
        if existing is not None and not same:
            raise TypeError(f"event type {cls.event_type!r} is registered twice")
        _EVENT_TYPES[cls.event_type] = cls

    def to_data(self) -> dict[str, serde.JSON]:
        """Return the event body as plain JSON (what is stored in ``data``)."""
        return self.to_json()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """Build the event from its stored body (already upcast to this version)."""
        if serde.reads_history():  # a replay reads the whole log so
            built: Self = serde.from_json(cls, data)
            return built
        with serde.reading_history():
            event: Self = serde.from_json(cls, data)
        return event


def event_class(event_type: str) -> type[Event]:
    """Return the class registered for ``event_type``."""
    try:
        return _EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(f"no event class is registered for {event_type!r}") from None


def upcaster(
    event_type: str, *, from_version: int
) -> Callable[
    [Callable[[dict[str, Any]], dict[str, Any]]], Callable[[dict[str, Any]], dict[str, Any]]
]:
    """Register a function turning ``event_type`` bodies of ``from_version`` into the next."""

    def register(
        fn: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        _UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def load_event(event_type: str, schema_version: int, data: dict[str, Any]) -> Event:
    """Upcast a stored body to the current schema version and build its event."""
    cls = event_class(event_type)
    version = schema_version
    while version < cls.schema_version:
        step = _UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownEventType(f"{event_type} v{version} has no upcaster to v{version + 1}")
        data = step(dict(data))
        version += 1
    if version != cls.schema_version:
        raise UnknownEventType(
            f"{event_type} v{schema_version} is newer than this code (v{cls.schema_version})"
        )
    return cls.from_data(data)


ActorKind = Literal["staff", "partner", "system", "seed"]
Source = Literal["admin", "api", "task", "seed", "cli", "mail"]  # mail: a link in a mail


@dataclasses.dataclass(frozen=True)
class Metadata(serde.Value):
    """Who made a change, through which door, and why."""

    actor_kind: ActorKind
    source: Source
    actor_id: str | None = None
    organisation: str | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    reason: str | None = None
    idempotency_key: str | None = None
    # SHA-256 of the request made under ``idempotency_key``: the same key with a
    # different request is refused instead of silently answered with the first result.
    request_digest: str | None = None

    def to_json(self) -> dict[str, serde.JSON]:
        """Return the metadata as JSON, leaving out fields that are not set."""
        return {k: v for k, v in super().to_json().items() if v is not None}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Metadata:
        """Build metadata from its stored JSON."""
        metadata: Metadata = serde.from_json(cls, raw)
        return metadata

    def validate(self) -> None:
        key = self.idempotency_key
        if key is not None and not 1 <= len(key) <= limits.IDEMPOTENCY_KEY_LENGTH:
            detail = f"must be 1 to {limits.IDEMPOTENCY_KEY_LENGTH} characters"
            raise EventValidationError(
                f"Metadata.idempotency_key: {detail}", field="idempotency_key", detail=detail
            )
        for name, limit in _METADATA_LENGTHS.items():
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                detail = f"must be at most {limit} characters, not {len(value)}"
                raise EventValidationError(f"Metadata.{name}: {detail}", field=name, detail=detail)


_METADATA_LENGTHS = {
    "reason": limits.METADATA_REASON_LENGTH,
    **dict.fromkeys(
        ("actor_id", "organisation", "request_id", "correlation_id", "causation_id"),
        limits.METADATA_ID_LENGTH,
    ),
}


E = TypeVar("E", bound=Event)


@dataclasses.dataclass(frozen=True)
class Envelope(Generic[E]):
    """An event with its place in its stream: what projectors receive.

    Inline projectors run before the event has a global position, so the envelope
    carries only what is known then, and a rebuild passes exactly the same.
    """

    stream_type: str
    stream_id: str
    version: int
    event: E
    metadata: Metadata
    occurred_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class RecordedEvent(Envelope[E]):
    """An event as stored: with its global position, recording time and hashes."""

    position: int
    recorded_at: dt.datetime
    prev_hash: str
    hash: str


H = TypeVar("H", bound=Callable[..., None])


def handler_registrar(
    owner: str, handlers: dict[str, Any], event_classes: tuple[type[Event], ...]
) -> Callable[[H], H]:
    """Return a decorator that files a function under each event type, refusing repeats."""

    def register(fn: H) -> H:
        for cls in event_classes:
            if cls.event_type in handlers:
                raise ValueError(f"{owner} handles {cls.event_type} twice")
            handlers[cls.event_type] = fn
        return fn

    return register
