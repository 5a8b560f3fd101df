"""Django settings, read from the environment.

With nothing set, the registry runs on an embedded default: SQLite under ``var/``
and a Celery broker kept in files under ``var/celery/``. Point ``DATABASE_URL`` at
PostgreSQL and ``CELERY_BROKER_URL`` at Redis for production.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab

from config.env import (
    cache_settings,
    email_settings,
    env_bool,
    env_list,
    env_seconds,
    env_str,
    replica_database,
)
from config.logs import logging_config

# Generic Django classes (``ModelAdmin[Project]``, ``QuerySet[Milestone]``) subscript at
# run time as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REGISTRY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """Return a random key kept in ``var/`` so a bare machine needs no configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "registry",
    "projects",
    "seeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'registry.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers queue for the lock instead of failing with
    # "database is locked" when a read transaction later tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Hong_Kong")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

vars().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cooperation Registry <registry@localhost>")

# Security: strict whenever DEBUG is off (``manage.py check --deploy`` is clean).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: without CELERY_BROKER_URL the broker is a folder of files, which needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker that loses the broker reconnects (every 2 s, backing off to every 30 s) for as
# long as the outage lasts, instead of exiting after Celery's default of 100 attempts
# (about 50 minutes): the scans it missed run once the broker is back.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # A periodic scan, not on_commit hooks: subscribers catch up even after a crash or
    # a broker outage, because their checkpoints live in the database.
    "process-subscribers": {"task": "registry.process_subscribers", "schedule": 60.0},
    # A signed head of the Merkle tree every hour (registry.treeheads), so partners' verifiers
    # always find a recent one; the digests and the API publish others.
    "publish-tree-head": {"task": "registry.publish_tree_head", "schedule": crontab(minute=0)},
}

# -- Operation: production layout, health probes, logs, CSP, database roles (docs/DEPLOY.md)

# One JSON object per line in production, plain lines under DEBUG; each with request ids.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))

# Probes first (no session, host check or TLS redirect for them), then the request id,
# so everything after it logs under the request's id. WhiteNoise serves static files
# right after the security middleware, as its documentation asks.
MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "config.requestid.RequestIdMiddleware",
    *MIDDLEWARE,
]
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE[_after_security:_after_security] = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
]
INSTALLED_APPS += ["csp"]
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder on every start
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cache forever), gzip copies; `collectstatic` builds them before start.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Persistent connections for the production processes (seconds; 0 closes after each request).
DATABASES["default"]["CONN_MAX_AGE"] = int(env_str("CONN_MAX_AGE", "0"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request (and /readyz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(env_str("DATABASE_CONNECT_TIMEOUT", "5"))
    )
    # A command's writes (registry/batch.py, server-side binding) are prepared once a
    # connection has sent them this many times: parsed and planned once, not per command
    # (a fifth of the server's time per command, docs/BENCHMARKS.md). Django's own queries
    # bind on the client and are never prepared. Empty turns it off, for a pooler that
    # cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
    _prepare_threshold = env_str("DATABASE_PREPARE_THRESHOLD", "2")
    DATABASES["default"]["OPTIONS"].setdefault(
        "prepare_threshold", int(_prepare_threshold) if _prepare_threshold else None
    )
# The owning role's URL, used by `manage.py migrate` only; the application connects with
# DATABASE_URL as a role that may not change or drop the log (`manage.py database_roles`).
DATABASE_MIGRATE_URL = env_str("DATABASE_MIGRATE_URL", "")

# -- Reads that can leave the primary: a streaming replica (docs/DEPLOY.md) ---------------
# With DATABASE_REPLICA_URL set, read-only work (safe requests to the views below, digest
# building) reads the log and the read models from the replica, unless its caller wrote
# and the replica has not replayed that write yet; everything else reads the primary
# (registry/routing.py). Unset, there is no router and nothing changes.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
# Beyond this lag (seconds) the replica is left alone and reads go to the primary.
DATABASE_REPLICA_MAX_LAG = env_seconds("DATABASE_REPLICA_MAX_LAG", 30)
# The views whose GET, HEAD and OPTIONS are read-only work (their names, as patterns).
DATABASE_REPLICA_VIEWS = [
    r"^api:",  # the partners' API: lists, records, history, the feed, the calendar
    r"^admin:(index|app_list)$",  # the dashboard
    r"^admin:projects_\w+_(changelist|change|history|export|print|calendar)$",
    r"^publishing:",  # the open-data files and their page (built per ledger head)
]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL, primary=DATABASES["default"])
    DATABASE_ROUTERS = ["registry.routing.ReplicaRouter"]
    # After WhiteNoise: static files need no route (nor a look in the cache for their caller).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "config.replica.ReplicaRoutingMiddleware",
    )
READINESS_BROKER_TIMEOUT = float(env_str("READINESS_BROKER_TIMEOUT", "2"))
# How long an append waits for the ledger head (seconds) before it is refused as busy
# (503 in the API, an error page in the admin): a stalled holder never queues writers forever.
REGISTRY_LEDGER_LOCK_TIMEOUT = float(env_str("LEDGER_LOCK_TIMEOUT", "5"))
# The Ed25519 key that signs the Merkle tree's heads: SIGNING_KEY (base64 of the 32 private
# bytes, or PEM text) or else the PEM file SIGNING_KEY_FILE; `make run` creates
# var/signing_key.pem (`manage.py create_signing_key`). docs/DEPLOY.md: rotation.
REGISTRY_SIGNING_KEY = env_str("SIGNING_KEY", "")
REGISTRY_SIGNING_KEY_FILE = env_str("SIGNING_KEY_FILE", "") or str(VAR_DIR / "signing_key.pem")

# Content-Security-Policy: only this origin's scripts, styles, images and fonts; no
# inline code, no framing, no plugins. Under DEBUG it only reports (Django's debug pages
# use inline styles), so development pages keep working and the console shows violations.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# -- Limits and refusals (issue 9) -------------------------------------------------------
# A NUL character in a URL is refused with 400 before any view (PostgreSQL cannot hold
# it); after LocaleMiddleware, so the refusal is in the reader's language.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1,
    "config.middleware.RefuseNulCharactersMiddleware",
)
# Catalogues outside an app's own locale/ folder: the domain's messages, and config's.
LOCALE_PATHS = [
    *vars().get("LOCALE_PATHS", []),
    BASE_DIR / "projects" / "domain" / "locale",
    BASE_DIR / "config" / "locale",
]

# -- The liaison officers' admin ---------------------------------------------------------
# The admin app comes after the registry's apps so that their admin templates (the
# language switcher in the header, the dashboard on the home page) take precedence; its
# site is the registry's (config.adminsite: the sidebar in one order in every language).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "django.contrib.admin"]
INSTALLED_APPS += ["config.adminsite.AdminConfig", "axes"]
MIDDLEWARE += [
    "config.forbidden.ForbiddenLogMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins: five tries per user name from one address, then an hour's pause.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The log names who failed from where (never the password), for the security officer.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_LOCKOUT_TEMPLATE = "admin/projects/locked_out.html"
# Dates read and written as ISO 8601 (2026-03-31) in every language.
FORMAT_MODULE_PATH = ["config.formats"]
# The formats (JSON or plain lines, with request ids) come from config.logs above.
LOGGING["filters"]["no_forbidden"] = {"()": "config.forbidden.DropForbiddenRecords"}
LOGGING["loggers"] = {
    # Django's own console handler would print every line a second time through root.
    "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
    # 403s are logged once, as one line, by ForbiddenLogMiddleware.
    "django.request": {"filters": ["no_forbidden"], "propagate": True},
    "django.security.csrf": {"filters": ["no_forbidden"], "propagate": True},
    # Failed logins (INFO) and lock-outs (WARNING) are logged by django-axes.
    "axes": {"level": "INFO", "propagate": True},
}

# -- The admin's reading pages (timeline, exports, print view, calendar) and the timeline
# grammar keep their templates and catalogues beside their code; LOCALE_PATHS come before
# the apps' own catalogues.
LOCALE_PATHS = [
    *vars().get("LOCALE_PATHS", []),
    BASE_DIR / "projects" / "narrative" / "locale",
    BASE_DIR / "projects" / "admin" / "reading" / "locale",
]
TEMPLATES[0]["DIRS"].append(  # type: ignore[attr-defined]
    BASE_DIR / "projects" / "admin" / "reading" / "templates"
)

# -- The partners' REST API (projects/api) ---------------------------------------------
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar", "projects.api"]
# Outermost but for the probes and the request id, so that every error answer under /api/
# leaves as problem+json and still carries its X-Request-ID (and its access line).
MIDDLEWARE.insert(
    MIDDLEWARE.index("config.requestid.RequestIdMiddleware") + 1,
    "projects.api.problems.ApiProblemMiddleware",
)
# Last, so its process_exception sees a view's error first: an unavailable database (a
# cut connection, a ledger head held too long) answers 503 outside the API too.
MIDDLEWARE.append("projects.unavailable.ServiceUnavailableMiddleware")
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")  # per token
API_MAX_BODY_BYTES = int(env_str("API_MAX_BODY_BYTES", "65536"))
# Fields and routes marked deprecated, each answered with Deprecation and Sunset headers
# (projects/api/changelog.py says the form); none is retired today.
API_RETIRED: list[dict[str, str]] = []
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["projects.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["projects.api.permissions.IsCaller"],
    "DEFAULT_THROTTLE_CLASSES": ["projects.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["projects.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "projects.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cooperation registry: partners' API",
    # The description is written in the reader's language by projects.api.openapi.
    "DESCRIPTION": "",
    "VERSION": "1.1.0",  # projects.api.changelog.VERSION (a test holds them equal)
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # Servers, the answers every operation has (405, problem types as URLs), the RateLimit,
    # Link and ETag headers, success examples, deprecations (projects/api/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "projects.api.openapi.complete",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.api.serializers.PROJECT_STATUSES",
        "MilestoneStatusEnum": "projects.api.serializers.MILESTONE_STATUSES",
        "SectorEnum": "projects.api.serializers.SECTORS",
    },
    # The identifiers' forms and lengths as the domain checks them (projects/domain/checks.py,
    # projects/domain/limits.py).
    "PATH_CONVERTER_OVERRIDES": {
        "orgid": {
            "type": "string",
            "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
            "minLength": 2,
            "maxLength": 40,
        },
        "code": {
            "type": "string",
            "pattern": "^[A-Z0-9]+(?:-[A-Z0-9]+)*$",
            "minLength": 3,
            "maxLength": 40,
        },
        "milestone": {
            "type": "string",
            "pattern": "^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$",
            "minLength": 1,
            "maxLength": 20,
        },
        "webhookid": {
            "type": "string",
            "pattern": "^[0-9a-f]{16}$",
            "minLength": 16,
            "maxLength": 16,
        },
    },
}

# -- Cache (the API's per-token throttles) ------------------------------------------------
# Redis when CACHE_URL (or REDIS_URL) is set, so every web process counts together;
# otherwise local memory, which counts per process and needs no server.
# A cache that cannot be reached costs at most CACHE_TIMEOUT seconds, then is left alone for
# CACHE_RETRY_SECONDS: throttling fails open meanwhile (projects/api/cache.py).
CACHES = cache_settings(
    env_str("CACHE_URL", "") or env_str("REDIS_URL", ""),
    timeout=float(env_str("CACHE_TIMEOUT", "0.5")),
)
CACHE_RETRY_SECONDS = float(env_str("CACHE_RETRY_SECONDS", "5"))

# -- Notifications: milestone reminders and weekly digests (projects/notifications) --------
# The report door (projects/reports): the link in a reminder mail that records an outcome.
INSTALLED_APPS.append("projects.notifications")
INSTALLED_APPS.append("projects.reports")
# Absolute links in mail (unsubscribe, the admin) start with this.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# How often beat queues the reminder scan and the digest catch-up (seconds).
MAIL_SCAN_SECONDS = env_seconds("MAIL_SCAN_SECONDS", 15 * 60)
# A scan stopped by a transient error (the mail server unreachable, the database gone for a
# moment) is retried after about BACKOFF, 2 x BACKOFF, 4 x BACKOFF ... seconds (with
# jitter), never more than BACKOFF_MAX apart, five times; then the next scan goes on.
MAIL_RETRY_BACKOFF = env_seconds("MAIL_RETRY_BACKOFF", 30)
MAIL_RETRY_BACKOFF_MAX = env_seconds("MAIL_RETRY_BACKOFF_MAX", 600, minimum=MAIL_RETRY_BACKOFF)
CELERY_BEAT_SCHEDULE.update(
    {
        # Scans of the read models, not ETA tasks: whatever a missed run left out, the
        # next one sends, and the dispatch log's unique key stops anything going twice.
        "milestone-reminders": {
            "task": "notifications.send_reminders",
            "schedule": float(MAIL_SCAN_SECONDS),
        },
        # Mondays 09:00 in CELERY_TIMEZONE (= TIME_ZONE, Asia/Hong_Kong by default).
        "weekly-digests": {
            "task": "notifications.send_digests",
            "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
        },
        # The same scan between Mondays sends this week's digest to anyone without one:
        # a new contact, a Monday missed while beat was down, a fresh installation.
        "digest-catch-up": {
            "task": "notifications.send_digests",
            "schedule": float(MAIL_SCAN_SECONDS),
        },
    }
)

# -- Open data: the published projects as IATI 2.03 files (projects/publishing) ------------
INSTALLED_APPS.append("projects.publishing")
# The publisher's IATI organisation identifier: every iati-identifier starts with it.
# The default is a placeholder for `make run`; production sets the publisher's own
# (`check --deploy` warns while the placeholder is in use).
IATI_REPORTING_ORG_REF = env_str("IATI_REPORTING_ORG_REF", "XX-PLACEHOLDER")
# The registered organisation that publishes (its names and type go in reporting-org).
IATI_REPORTING_ORGANISATION = env_str("IATI_REPORTING_ORGANISATION", "hk-gov")
IATI_DEFAULT_CURRENCY = env_str("IATI_DEFAULT_CURRENCY", "HKD")
# A generic address of the publisher for contact-info (never a person's); none if empty.
IATI_CONTACT_EMAIL = env_str("IATI_CONTACT_EMAIL", "")
OPEN_DATA_LICENCE_ID = env_str("OPEN_DATA_LICENCE_ID", "CC-BY-4.0")
OPEN_DATA_LICENCE_NAME = env_str("OPEN_DATA_LICENCE_NAME", "Creative Commons Attribution 4.0")
OPEN_DATA_LICENCE_URL = env_str(
    "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
# Where the served files are kept, one folder per ledger position they reflect.
OPEN_DATA_DIR = Path(env_str("OPEN_DATA_DIR", str(VAR_DIR / "open-data")))

# -- Webhooks: partners' systems told of each event they may see (projects/webhooks) ------
INSTALLED_APPS.append("projects.webhooks")
# Only https:// URLs with public addresses, unless this is 1 (tests, `make run`): then any
# address and http:// too, for a receiver on the developer's own machine.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# Seconds a delivery may take (connect, send, answer) before it counts as failed.
WEBHOOK_TIMEOUT = float(env_str("WEBHOOK_TIMEOUT", "10"))
# A failing delivery is retried after 30 s, 1 min, 2 min ... (at most WEBHOOK_RETRY_MAX
# apart); a webhook still failing WEBHOOK_RETRY_DAYS after its first failure is disabled.
WEBHOOK_RETRY_FIRST = env_seconds("WEBHOOK_RETRY_FIRST", 30)
WEBHOOK_RETRY_MAX = env_seconds("WEBHOOK_RETRY_MAX", 6 * 3600, minimum=WEBHOOK_RETRY_FIRST)
WEBHOOK_RETRY_DAYS = env_seconds("WEBHOOK_RETRY_DAYS", 3)
# How often beat queues the delivery scan (retries, and anything the after-commit task missed).
WEBHOOK_SCAN_SECONDS = env_seconds("WEBHOOK_SCAN_SECONDS", 30)
CELERY_BEAT_SCHEDULE["webhook-deliveries"] = {
    "task": "webhooks.send_webhooks",
    "schedule": float(WEBHOOK_SCAN_SECONDS),
}
