"""The request context: which request (or task) the running code serves.

Two ids travel with every unit of work. ``request_id`` names the unit itself (an HTTP
request, a Celery task); ``correlation_id`` names the request that started the chain,
so a partner's request, the task it queued and the mail that task sent share one id.
At the web both are the request's id; a task inherits the correlation id from its
message headers and takes its own task id as request id.

The ids live in context variables, so threads and asyncio tasks each see their own.
The log filter (:class:`ContextFilter`) puts them on every log record, and
:func:`stamp` writes them into event metadata the caller left empty.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar, Token

from registry.events import Metadata

# Ids from outside (X-Request-ID, message headers) are kept only when they look like
# ids: short, printable, no spaces or quotes, so they are safe in logs, headers and JSON.
SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$")

_request_id: ContextVar[str | None] = ContextVar("registry_request_id", default=None)
_correlation_id: ContextVar[str | None] = ContextVar("registry_correlation_id", default=None)


def new_id() -> str:
    """Return a fresh random id (32 hex digits)."""
    return uuid.uuid4().hex


def sane(candidate: object) -> str | None:
    """Return ``candidate`` if it is an acceptable id, else None."""
    if isinstance(candidate, str) and SANE_ID.match(candidate):
        return candidate
    return None


def request_id() -> str | None:
    """Return the id of the request or task being served, if any."""
    return _request_id.get()


def correlation_id() -> str | None:
    """Return the id of the request that started this chain of work, if any."""
    return _correlation_id.get()


@contextlib.contextmanager
def serving(request: str, *, correlation: str | None = None) -> Iterator[None]:
    """Mark the code inside as serving ``request`` (correlated to ``correlation``)."""
    tokens = enter(request, correlation=correlation)
    try:
        yield
    finally:
        leave(tokens)


@contextlib.contextmanager
def using(*, request: str | None, correlation: str | None) -> Iterator[None]:
    """Mark the code inside with exactly these ids (None leaves an id unset)."""
    tokens = (_request_id.set(request), _correlation_id.set(correlation))
    try:
        yield
    finally:
        leave(tokens)


def stamp(metadata: Metadata) -> Metadata:
    """Return ``metadata`` with the context's ids filled in where the caller left none."""
    request = metadata.request_id or _request_id.get()
    correlation = metadata.correlation_id or _correlation_id.get()
    if (request, correlation) == (metadata.request_id, metadata.correlation_id):
        return metadata
    return dataclasses.replace(metadata, request_id=request, correlation_id=correlation)


def enter(request: str, *, correlation: str | None = None) -> tuple[Token[str | None], ...]:
    """Start serving ``request`` until :func:`leave` is called with the returned tokens."""
    return (_request_id.set(request), _correlation_id.set(correlation or request))


def leave(tokens: tuple[Token[str | None], ...]) -> None:
    """Stop serving the request :func:`enter` started (restoring what was there before)."""
    request_token, correlation_token = tokens
    _correlation_id.reset(correlation_token)
    _request_id.reset(request_token)


class ContextFilter(logging.Filter):
    """Add ``request_id`` and ``correlation_id`` to every log record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the ids; never drops a record."""
        record.request_id = _request_id.get()
        record.correlation_id = _correlation_id.get()
        return True
