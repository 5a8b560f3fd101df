"""The event store's named errors."""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every error the event store raises."""


class EventValidationError(RegistryError, ValueError):
    """An event or value was built from a payload of the wrong shape.

    ``field`` is the dotted path of the value at fault inside the command or event
    (``"due_date"``, ``"titles.zh_hant"``, ``"signatories.1.organisation_id"``), or None
    when the whole payload is wrong; ``detail`` is what is wrong with it, without the
    path. A form or a problem+json answer points at ``field`` and shows ``detail``.
    """

    def __init__(
        self, message: str, *, field: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        # A DomainError that is also an EventValidationError has set these already.
        if field is not None or not hasattr(self, "field"):
            self.field = field
        if detail is not None or not hasattr(self, "detail"):
            self.detail = detail if detail is not None else message


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
        if self.is_ahead:
            why = (
                f"version {expected_version} does not exist yet, so the version given is "
                "wrong rather than stale"
            )
        else:
            why = "it was changed since it was read"
        super().__init__(
            f"{stream_type} {stream_id!r} is at version {current_version}, "
            f"not {expected_version}: {why}"
        )

    @property
    def is_ahead(self) -> bool:
        """Return True when the caller expected a version the stream has not reached."""
        return self.expected_version > self.current_version


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


class ReplayPartFailed(RegistryError):
    """A part of a replay, run in a process of its own, failed or clashed with another part.

    Nothing live was written: a rebuild writes the live tables only after every part
    has been replayed and gathered.
    """


class ImportRefused(RegistryError):
    """An event export cannot be imported (non-empty target or broken file).

    ``line`` is the 1-based line of the file at fault, or None when the refusal is
    about the file as a whole (or the database it would go into); ``reason`` is why.
    """

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


class LedgerBusy(RegistryError):
    """The ledger head stayed held by another transaction past the lock timeout.

    Nothing was written; the append may be retried. ``waited`` is the timeout in seconds.
    """

    def __init__(self, waited: float) -> None:
        self.waited = waited
        super().__init__(
            f"the ledger head was held by another transaction for more than {waited:g} s; "
            "nothing was written, try again"
        )


class StaleState(RegistryError):
    """An append named the version and hash its state stood at, and the log differs there.

    Not the caller's conflict: a state kept in memory (``registry.statecache``) was out of
    date. Load the stream from the log and decide again.
    """

    def __init__(self, *, stream_type: str, stream_id: str, version: int) -> None:
        self.stream_type = stream_type
        self.stream_id = stream_id
        self.version = version
        super().__init__(
            f"{stream_type} {stream_id!r}: the state kept for version {version} is not the log's"
        )


class TreeIncomplete(RegistryError):
    """The stored Merkle tree lacks a node a root or proof needs: ``rebuild_merkle_tree``."""


class SigningKeyMissing(RegistryError):
    """No key to sign tree heads is configured, or it cannot be read."""


class SigningKeyRetired(RegistryError):
    """The configured signing key was replaced once; a retired key signs nothing more."""
