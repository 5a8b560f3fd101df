"""Real Celery workers and beat for the mail fault tests, on the test database.

Each process is started as ``Procfile.prod`` starts it (``celery -A config worker`` /
``beat``), with the broker, the mail server and any extra settings of the test's own,
its output in a log file the test reads (and shows when a wait times out).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from celery import Celery
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    """Return the URL of the test database (the one the test's own connection uses)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Celeries:
    """Start Celery processes for one test; stop those still running at the end."""

    def __init__(self, scratch: Path, *, broker: str, smtp_port: int, **extra: str) -> None:
        self.scratch, self.broker = scratch, broker
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            LOG_FORMAT="plain",
            **extra,
        )
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        """Start ``celery -A config <arguments>`` as ``name``; its log is ``<name>.log``."""
        var = self.scratch / name
        var.mkdir(parents=True, exist_ok=True)
        log = self.log(name).open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments, "--loglevel=INFO"],
            cwd=BASE_DIR,
            env={**self.env, "REGISTRY_VAR_DIR": str(var)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        """Start a worker (prefork, one child) named ``name`` and wait until it is ready."""
        process = self.start(
            name,
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{os.getpid()}@%h",
        )
        wait_for(lambda: "ready." in self.text(name), f"{name} ready", log=self.log(name))
        return process

    def beat(self) -> subprocess.Popen[bytes]:
        """Start beat (its schedule file in its own folder)."""
        return self.start("beat", "beat", "-s", str(self.scratch / "beat" / "schedule"))

    def log(self, name: str) -> Path:
        """Return the path of process ``name``'s log."""
        return self.scratch / f"{name}.log"

    def text(self, name: str) -> str:
        """Return what process ``name`` has logged so far."""
        path = self.log(name)
        return path.read_text(errors="replace") if path.exists() else ""

    def send(self, task: str, **kwargs: Any) -> None:
        """Queue ``task`` on this test's broker, as beat does."""
        # An explicit connection: Celery prefers CELERY_BROKER_URL from the environment
        # (the suite's broker) over a broker given to the app.
        producer = Celery("registry")
        with producer.connection_for_write(self.broker) as broker:
            producer.send_task(task, kwargs=kwargs, connection=broker)
        producer.close()

    def stop(self) -> None:
        """Stop (SIGTERM, then SIGKILL) every process still running."""
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def celeries(scratch: Path, **options: Any) -> Iterator[Celeries]:
    """Yield a :class:`Celeries`; stop its processes afterwards."""
    started = Celeries(scratch, **options)
    try:
        yield started
    finally:
        started.stop()


def wait_for(
    condition: Callable[[], bool], what: str, *, timeout: float = 90.0, log: Path | None = None
) -> float:
    """Poll ``condition`` until true; return the seconds it took (fail after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            shown = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{shown}")
        time.sleep(0.05)
    return time.monotonic() - started


def process_gone(pid: int) -> bool:
    """Return whether process ``pid`` no longer runs (or is a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}
