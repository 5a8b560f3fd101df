"""The Celery application: configured from Django settings (``CELERY_*``).

The signal handlers below carry the request context (:mod:`registry.context`) through
the broker: publishing a task adds the current correlation id to the message headers,
and the worker serves each task under its own task id, correlated to the request that
queued it. With a replica (:mod:`registry.routing`), a task queued by work that wrote
carries the WAL position that write ended at, and the worker serves the task under a
route that reads the replica only once it has replayed that far. Logging is Django's
(``settings.LOGGING``), so worker lines are JSON in production like the web's.
"""

from __future__ import annotations

import logging.config
import os
from typing import Any

from celery import Celery, Task, signals
from django.apps import apps
from django.conf import settings

from registry import context, routes

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Not ``correlation_id``: Celery uses that name for the task id in the message properties.
CORRELATION_HEADER = "registry_correlation_id"
# The WAL position the task's reads wait for (the write of the work that queued it).
READ_AFTER_HEADER = "registry_read_after"
_serving: dict[str, tuple[Any, ...]] = {}
_routes: dict[str, Any] = {}


@signals.setup_logging.connect
def _log_like_django(**kwargs: Any) -> None:
    """Use the project's logging configuration instead of Celery's own."""
    if apps.ready:
        return  # django.setup() has applied settings.LOGGING already
    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _carry_correlation_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Put the current correlation id, and the position the task's reads wait for (the
    write of the work queueing it, with a replica), into the outgoing message's headers."""
    correlation = context.correlation_id()
    if headers is not None and correlation is not None:
        headers.setdefault(CORRELATION_HEADER, correlation)
    read_after = routes.follower_mark()
    if headers is not None and read_after is not None:
        headers.setdefault(READ_AFTER_HEADER, read_after)


@signals.task_prerun.connect
def _serve_task(task_id: str, task: Task, **kwargs: Any) -> None:
    """Serve the task under its own id, correlated to the request that queued it."""
    correlation = (
        context.sane(getattr(task.request, CORRELATION_HEADER, None))
        or context.correlation_id()  # run eagerly, inside the request itself
        or task_id
    )
    read_after = getattr(task.request, READ_AFTER_HEADER, None)
    if not isinstance(read_after, int) or read_after < 0:
        read_after = routes.follower_mark()  # run eagerly, inside the work that queued it
    _serving[task_id] = context.enter(task_id, correlation=correlation)
    _routes[task_id] = routes.enter(read_after=read_after)


@signals.task_postrun.connect
def _finish_task(task_id: str, **kwargs: Any) -> None:
    """Leave the task's context once it has run."""
    route = _routes.pop(task_id, None)
    if route is not None:
        routes.leave(route)
    tokens = _serving.pop(task_id, None)
    if tokens is not None:
        context.leave(tokens)
