"""Gunicorn settings for the production web process (``Procfile.prod``, docs/DEPLOY.md).

Read from the environment like everything else: ``HOST`` and ``PORT`` (where to listen),
``WEB_CONCURRENCY`` (worker processes; default 2 per CPU core plus 1), ``WEB_TIMEOUT``,
``FORWARDED_ALLOW_IPS`` (the proxies whose X-Forwarded-* headers are trusted) and
``LOG_FORMAT``. The web processes are stateless: run as many, on as many machines, as
the load needs, behind a proxy.
"""

from __future__ import annotations

import os

from config.logs import logging_config

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"  # one request per process at a time: simple, and Django is sync here
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle each worker after about a thousand requests, so no slow leak lives for long.
max_requests = 1000
max_requests_jitter = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "registry-web"
# No control socket: several servers on one machine would share its default path.
control_socket_disable = True

# The request-id middleware writes one access line per request (with its id), so
# gunicorn's own access log stays off; its error log goes through the same JSON lines.
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "json"), level=os.environ.get("LOG_LEVEL", "INFO")
)
logconfig_dict["loggers"] = {
    "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
    "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
}
