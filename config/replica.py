"""The web's side of replica reads: which requests are read-only work, and reading your writes.

Installed only when ``DATABASE_REPLICA_URL`` is set (``registry.routing`` has the rule).
A request may read the replica only when it is safe (GET, HEAD, OPTIONS) and its view
is named in ``DATABASE_REPLICA_VIEWS`` (the API's reads; the admin's dashboard, lists,
record pages, timelines, exports, print view and calendar). Any other request reads the
primary throughout: an unsafe one may decide a write on what it reads, and a command
form carries the version the officer saw.

A caller is the holder of an API token (``Authorization: Bearer``, or the calendar's
``?token=``) or of a session cookie. When a request writes, the WAL position after it is
kept in the shared cache under its caller for ``MARK_SECONDS``; the caller's next
requests, on any web process, read the replica only once it has replayed that far, and
the primary until then. While the cache cannot be reached, callers read the primary.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

from projects.api import cache as shared_cache
from registry import routes

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MARK_SECONDS = 600
MARK_PREFIX = "registry-read-after:"


def caller_key(request: HttpRequest) -> str | None:
    """Return who is calling, as a cache key (a digest of its token or session), or None."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    secret = credentials.strip() if scheme.lower() == "bearer" else request.GET.get("token", "")
    if secret:
        return f"{MARK_PREFIX}token:{hashlib.sha256(secret.encode()).hexdigest()}"
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if session:
        return f"{MARK_PREFIX}session:{hashlib.sha256(session.encode()).hexdigest()}"
    return None


def read_mark(key: str | None) -> int | None:
    """Return the position the caller's last write ended at (NEVER when the cache is down)."""
    if key is None:
        return None
    mark = shared_cache.guarded("replica read mark", lambda: cache.get(key), fallback=_unknown)
    return mark if isinstance(mark, int) else None


def _unknown() -> int:
    return routes.NEVER


def remember_write(key: str) -> None:
    """Keep where the write just made ends, so the caller's next requests wait for it."""
    mark = routes.follower_mark()
    if mark is not None:
        shared_cache.guarded(
            "replica read mark",
            lambda: cache.set(key, mark, MARK_SECONDS),
            fallback=lambda: None,
        )


def _streamed(chunks: Iterable[Any], route: routes.Route | None) -> Iterator[Any]:
    """Yield ``chunks``, each read under the request's route (the view has returned)."""
    iterator = iter(chunks)
    while True:
        with routes.resumed(route):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class ReplicaRoutingMiddleware:
    """Serve each request under a route: read-only work on the replica, writers on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.views = [re.compile(pattern) for pattern in settings.DATABASE_REPLICA_VIEWS]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` under its route; remember its caller's write, if it made one."""
        key = caller_key(request)
        token = routes.enter(read_after=read_mark(key), pinned=request.method not in SAFE_METHODS)
        route = routes.current()
        try:
            response = self.get_response(request)
            if route is not None and route.wrote and key is not None:
                remember_write(key)
        finally:
            routes.leave(token)
        if isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse):
            response.streaming_content = _streamed(response.streaming_content, route)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> None:
        """Declare the request read-only work when it is safe and its view a reading one."""
        route = routes.current()
        match = request.resolver_match
        if route is None or route.pinned or match is None:
            return
        if any(pattern.search(match.view_name) for pattern in self.views):
            route.read_only = True
