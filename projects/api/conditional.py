"""Conditional reads (RFC 9110 §13): ETags for lists, and ``If-None-Match`` compared weakly.

A project's ETag is its stream version (``"7"``), which ``If-Match`` also takes. A list,
the feed and the calendar answer from read models that change only when the log grows, so
their validator is the ledger head's position, read *before* the rows (a write landing
between the two makes the tag older than the body, never newer: the next request
answers 200 again, never a stale 304), together with what else shapes the body: the
path, the query, the reader's language, the caller's scope and today's date (overdue
days count from it). That costs one indexed read of one row, and nothing of the body is
built to answer 304.

``If-None-Match`` is compared weakly, as RFC 9110 §13.1.2 requires for GET: ``W/"15"``
matches ``"15"``, ``*`` matches any current representation, and a list matches when
any of its tags does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import translation
from django.utils.http import parse_etags
from rest_framework.exceptions import APIException

from projects import selectors


class NotModified(APIException):
    """Raised by a view whose representation the caller holds already: 304 and the ETag."""

    status_code = 304

    def __init__(self, etag: str) -> None:
        super().__init__(detail="")
        self.etag = etag


def _opaque(tag: str) -> str:
    """Return an entity tag without its weakness indicator (``W/"7"`` → ``"7"``)."""
    return tag[2:] if tag.startswith("W/") else tag


def none_match(header: str | None, etag: str) -> bool:
    """Return True when ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    if header is None:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return any(_opaque(tag) == _opaque(etag) for tag in tags)


def list_etag(
    *, path: str, query: list[tuple[str, str]], scope: str | None, today: dt.date, head: int
) -> str:
    """Return the weak ETag of a list: the ledger position and a digest of its inputs."""
    inputs: list[Any] = [
        path,
        sorted((name, value) for name, value in query if name != "token"),
        translation.get_language() or "",
        scope or "",
        today.isoformat(),
    ]
    digest = hashlib.sha256(repr(inputs).encode()).hexdigest()[:16]
    return f'W/"{head}-{digest}"'


def head_position() -> int:
    """Return the ledger head's position: one read of one row."""
    return selectors.ledger_head()[0]
