"""The production web process (gunicorn, as ``Procfile.prod`` starts it) on the test database.

For fault tests that commit their data (``transaction=True``) so the server sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from projects import models as rm
from tests.api.world import AI

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WEB_COMMAND = ["config.wsgi:application", "--config", "python:config.gunicorn"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Web:
    """A gunicorn on the test database, and an HTTP client keeping its cookies."""

    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url, self.process = url, process
        self.cookies: dict[str, str] = {}

    def send(
        self, path: str, *, data: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request; return status, headers and body (error answers too)."""
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            answer = error.code, error.headers, error.read()
        for line in answer[1].get_all("Set-Cookie") or []:
            name, value = line.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value.strip()
        return answer[0], dict(answer[1]), answer[2]

    def workers(self) -> set[int]:
        """Return the process ids of gunicorn's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}


@contextlib.contextmanager
def running(
    tmp_path: Path, *, ready: str = "/readyz", collect_static: bool = True, **extra: str
) -> Iterator[Web]:
    """Run gunicorn as Procfile.prod does, on the test database, with lasting connections.

    ``extra`` adds to or overrides its environment; ``ready`` is the path that must
    answer 200 before the server counts as started. ``collect_static`` builds the hashed
    static files first (settings that serve them unhashed, the tests', need none).
    """
    port = _free_port()
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,  # the test's sessions are valid there
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        REGISTRY_VAR_DIR=str(tmp_path / "var"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        CONN_MAX_AGE="600",  # connections outlive requests, so cutting them matters
    )
    env.update(extra)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if collect_static:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *WEB_COMMAND],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Web(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if server.send(ready)[0] == 200:
                    break
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def login(web: Web) -> None:
    """Give the web client the liaison officer's session cookie."""
    client = Client()
    client.force_login(User.objects.get(username="liaison"))
    web.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value


def bearer(token: str) -> dict[str, str]:
    """Return the headers of a partner's API request, in English."""
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def claim(web: Web, token: str, key: str) -> tuple[int, dict[str, str], bytes]:
    """Claim milestone M1 of the AI project as met, with its current ETag and ``key``."""
    etag = web.send(f"/api/v1/projects/{AI}/", **bearer(token))[1]["ETag"]
    body = {"outcome": "met", "date": "2025-08-30", "note": "Delivered"}
    return web.send(
        f"/api/v1/projects/{AI}/milestones/M1/claims/",
        data=json.dumps(body).encode(),
        **bearer(token),
        **{"Content-Type": "application/json", "If-Match": etag, "Idempotency-Key": key},
    )


def reschedule(web: Web) -> tuple[int, dict[str, str], bytes]:
    """Reschedule M1 of the AI project in the admin, as the logged-in officer."""
    path = f"/admin/projects/project/{AI}/command/reschedule-milestone/"
    form = web.send(path)[2].decode()
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[0]
    csrf = web.cookies[settings.CSRF_COOKIE_NAME]
    fields = {
        "csrfmiddlewaretoken": token,
        "milestone_id": "M1",
        "new_due_date": "2025-10-31",
        "reason": "Partner procurement took longer",
        "expected_version": str(rm.Project.objects.get(code=AI).version),
    }
    return web.send(
        path,
        data=urllib.parse.urlencode(fields).encode(),
        **{"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf},
    )
