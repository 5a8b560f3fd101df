"""The logging configuration: one JSON object per line in production, plain lines in development.

Every record carries ``request_id`` and ``correlation_id`` (see :mod:`registry.context`),
so the lines one request caused, on the web and in the worker, can be found together.
The web server, the Celery worker and management commands all log through this.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

FORMATS = ("json", "plain")


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Return a ``LOGGING`` dict writing to standard error in ``log_format``."""
    if log_format not in FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r} is not one of {', '.join(FORMATS)}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "registry.context.ContextFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(correlation_id)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
    }
