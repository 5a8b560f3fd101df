"""The production web process: gunicorn from ``config.gunicorn``, as ``Procfile.prod`` starts it.

A real gunicorn with two workers, on a free port, with production settings (``DEBUG=0``)
and its own scratch ``REGISTRY_VAR_DIR``: it answers the probes, serves the hashed,
compressed static files through WhiteNoise, sends the security headers, and logs JSON.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The web line of Procfile.prod, after "gunicorn".
WEB_COMMAND = ["config.wsgi:application", "--config", "python:config.gunicorn"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    """A gunicorn serving the registry, and how to reach it."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.url, self.log = env, f"http://127.0.0.1:{port}", log

    def manage(self, *args: str) -> None:
        """Run a management command with the server's settings."""
        subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Start gunicorn as Procfile.prod does, after collectstatic; stop it afterwards."""
    scratch = tmp_path_factory.mktemp("production")
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback
        REGISTRY_VAR_DIR=str(scratch / "var"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    ready = Server(env, port, scratch / "gunicorn.log")
    ready.manage("collectstatic", "--no-input", "-v", "0")
    with ready.log.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *WEB_COMMAND],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if _get(ready.url + "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield ready
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_the_web_process_is_alive_and_ready_only_once_migrated(server: Server) -> None:
    assert _get(server.url + "/healthz")[:1] == (200,)
    status, _, body = _get(server.url + "/readyz")
    assert (status, json.loads(body)) == (503, {"status": "unavailable"})  # a fresh database

    server.manage("migrate", "--no-input", "-v", "0")

    assert _get(server.url + "/readyz")[0] == 200


def test_pages_carry_the_security_headers_and_the_request_id(server: Server) -> None:
    status, headers, _ = _get(server.url + "/admin/login/", **{"X-Request-ID": "probe-42"})

    assert status == 200
    assert headers["X-Request-ID"] == "probe-42"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_hashed_compressed_and_cached_for_good(server: Server) -> None:
    page = _get(server.url + "/admin/login/")[2].decode()
    (stylesheet,) = re.findall(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)

    status, headers, _ = _get(server.url + stylesheet, **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_every_log_line_is_one_json_object(server: Server) -> None:
    _get(server.url + "/admin/login/", **{"X-Request-ID": "follow-me"})
    time.sleep(0.5)  # let the worker's line reach the file

    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.strip()]

    assert {"level", "logger", "message", "time"} <= set(lines[0])
    assert any(
        line["logger"] == "registry.access" and line["request_id"] == "follow-me" for line in lines
    )


def test_the_procfile_starts_the_web_process_tested_here_and_one_beat() -> None:
    processes = dict(
        line.split(": ", 1) for line in (BASE_DIR / "Procfile.prod").read_text().splitlines()
    )

    assert processes["web"] == "gunicorn " + " ".join(WEB_COMMAND)
    assert [name for name, command in processes.items() if " beat" in command] == ["beat"]
