"""The event store's named errors."""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every error the event store raises."""


class EventValidationError(RegistryError, ValueError):
    """An event or value was built from a payload of the wrong shape."""


class UnknownEventType(RegistryError, LookupError):
    """A stored event names a type (or schema version) no class is registered for."""


class ConcurrencyConflict(RegistryError):
    """The stream moved on since the caller read it.

    ``current_version`` is the stream's version now; ``expected_version`` is what
    the caller believed it was.
    """

    def __init__(
        self, *, stream_type: str, stream_id: str, expected_version: int, current_version: int
    ) -> None:
        self.stream_type = stream_type
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"{stream_type} {stream_id!r} is at version {current_version}, "
            f"not {expected_version}: it was changed since it was read"
        )


class IdempotencyKeyReused(RegistryError):
    """An idempotency key was sent again with a different request."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"idempotency key {key!r} was already used for a different request; "
            "use a new key for a new request"
        )


class LedgerCorrupted(RegistryError):
    """The hash chain does not match the stored events."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"ledger broken at position {position}: {reason}")


class ReadModelWriteRefused(RegistryError):
    """A read model was written outside a projector."""


class ImportRefused(RegistryError):
    """An event export cannot be imported (non-empty target or broken file)."""
