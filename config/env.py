"""Reading settings from the environment, with clear errors for bad values."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from dj_database_url import DBConfig
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    """Return the environment variable ``name``, or ``default`` when unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment variable (1/0, true/false, yes/no, on/off)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false or yes/no")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_seconds(name: str, default: int, *, minimum: int = 1) -> int:
    """Return a whole number of seconds of at least ``minimum`` from ``name``, or ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number of seconds") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below its minimum of {minimum} s")
    return value


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}


def email_settings(url: str) -> dict[str, Any]:
    """Turn an ``EMAIL_URL`` (smtp://user:pass@host:port?tls=1, console://, ...) into settings."""
    parts = urlsplit(url)
    backend = EMAIL_BACKENDS.get(parts.scheme)
    if backend is None:
        known = ", ".join(sorted(EMAIL_BACKENDS))
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not one of {known}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    settings: dict[str, Any] = {"EMAIL_BACKEND": backend}
    if parts.scheme == "file":
        settings["EMAIL_FILE_PATH"] = unquote(parts.path) or "var/mail"
        return settings
    if backend.endswith("smtp.EmailBackend"):
        settings.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or {"smtps": 465, "submission": 587}.get(parts.scheme, 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps" or query.get("ssl") in {"1", "true"},
            EMAIL_USE_TLS=parts.scheme == "submission" or query.get("tls") in {"1", "true"},
            EMAIL_TIMEOUT=int(query.get("timeout", "10")),
        )
    return settings


def cache_settings(url: str, *, timeout: float = 0.5) -> dict[str, Any]:
    """Return Django's ``CACHES`` for a ``CACHE_URL``: Redis for redis(s)://, else local memory.

    An empty URL gives a local-memory cache, which needs no server but counts per process.
    ``timeout`` bounds connecting to Redis and each reply (seconds), so a host that does not
    answer delays a request by that much at most.
    """
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "registry",
            }
        }
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"CACHE_URL={url!r} is not a Redis URL: use redis://host:6379/1 or rediss://…"
        )
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "registry",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


POSTGRESQL = "django.db.backends.postgresql"


def replica_database(url: str, *, primary: DBConfig) -> DBConfig:
    """Return the ``replica`` database of ``DATABASE_REPLICA_URL`` (PostgreSQL, as the primary)."""
    scheme = urlsplit(url).scheme
    try:
        replica = dj_database_url.parse(url, conn_health_checks=True)
    except ValueError as exc:
        message = f"DATABASE_REPLICA_URL ({scheme}://…) is not valid: {exc}"
        raise ImproperlyConfigured(message) from None
    if replica.get("ENGINE") != POSTGRESQL or primary.get("ENGINE") != POSTGRESQL:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL ({scheme}://…) needs a PostgreSQL primary and replica: set "
            "DATABASE_URL and DATABASE_REPLICA_URL to postgres://… (the replica a streaming "
            "standby of the primary), or leave DATABASE_REPLICA_URL unset"
        )
    replica["CONN_MAX_AGE"] = primary.get("CONN_MAX_AGE", 0)
    timeout = primary.get("OPTIONS", {}).get("connect_timeout")
    if timeout is not None:
        replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", timeout)
    # A test run has one test database: the replica's connection reads it too.
    replica["TEST"] = {"MIRROR": "default"}
    return replica
