"""Reads that leave the primary: a primary and a streaming replica of the test's own.

The replica is made as docs/DEPLOY.md says (its ``pg_basebackup`` block, run verbatim);
the registry runs on both as in production: ``migrate``, ``check --deploy``, gunicorn with
two workers, a Celery worker, Redis for the cache and the broker, an SMTP server. Pausing
the replica's replay (``pg_wal_replay_pause()``) makes it lag for as long as the test
wants: what a caller sees then says which server answered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from projects.notifications import plan
from testkit.replication import Replicated
from testkit.smtp import Inbox, smtp_server
from tests.redis_server import RedisServer
from tests.reliability.processes import wait_for
from tests.reliability.web import Web, bearer, claim, running

pytestmark = pytest.mark.postgres

BASE_DIR = Path(__file__).resolve().parent.parent.parent
AI, ROBOTICS = "HKZJ-2025-AI-01", "HKZJ-2025-RB-01"
CHIEF = "chief@example.org"

# Migrates, builds the API tests' registry (three projects, partner and staff tokens) and
# a second officer with mail; prints the tokens and two logged-in sessions of that officer.
SETUP = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from tests.api import world
call_command("migrate", interactive=False, verbosity=0)
built = world.build()
chief = User.objects.create_superuser("chief", "chief@example.org", "a-long-password")
def session():
    client = Client()
    client.force_login(chief)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
print(json.dumps({"writer": built.deepseek, "reader": built.staff,
                  "sessions": [session(), session()]}))
"""
# Registers project argv[1] as a command would, then queues the digests of day argv[2].
REGISTER_AND_QUEUE = """
import sys, django
django.setup()
from projects.tasks import send_digests
from tests.projects import builders
builders.register_project(sys.argv[1])
send_digests.delay(today=sys.argv[2])
"""
HEAD = "SELECT position FROM registry_ledger_head"
WORKER_OPTIONS = ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]


def deploy_block(containing: str) -> str:
    """Return the shell block of docs/DEPLOY.md that contains ``containing``."""
    text = (BASE_DIR / "docs" / "DEPLOY.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return next(block for block in blocks if containing in block)


@dataclasses.dataclass
class Deployment:
    """The servers, the registry's environment, and who calls it."""

    cluster: Replicated
    env: dict[str, str]
    inbox: Inbox
    writer: str
    reader: str
    sessions: list[str]
    scratch: Path

    def python(self, code: str, *args: str, **env: str) -> str:
        """Run Python ``code`` (with Django's settings) as a command would; return its output."""
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def manage(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start ``manage.py`` with the registry's environment (and ``env``)."""
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def replica_scans(self) -> int:
        """Return how many times the replica has scanned the project read model."""
        return int(
            self.cluster.replica.query(
                "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
                "WHERE relname = 'projects_project'",
                database="registry",
            )
        )


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A primary, its replica (made by DEPLOY.md's block), Redis, SMTP, a migrated registry."""
    scratch = tmp_path_factory.mktemp("replica")
    cluster, redis = Replicated(), RedisServer()
    redis.start()
    try:
        with smtp_server() as (inbox, smtp_port):
            cluster.start_primary()
            cluster.primary.query("CREATE ROLE replicator WITH REPLICATION LOGIN")
            cluster.clone(deploy_block("pg_basebackup"))
            inherited = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
            env = {
                **inherited,
                # The project's settings as the tests run them: static files unhashed, no
                # collectstatic needed before the web starts.
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": cluster.primary.url("registry"),
                "DATABASE_REPLICA_URL": cluster.replica.url("registry"),
                "CACHE_URL": redis.url(1),
                "CELERY_BROKER_URL": redis.url(2),
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "SECRET_KEY": settings.SECRET_KEY,
                "REGISTRY_VAR_DIR": str(scratch / "var"),
                "LOG_FORMAT": "plain",
            }
            deployment = Deployment(cluster, env, inbox, "", "", [], scratch)
            callers = json.loads(deployment.python(SETUP))
            deployment.writer, deployment.reader = callers["writer"], callers["reader"]
            deployment.sessions = callers["sessions"]
            yield deployment
    finally:
        cluster.stop()
        redis.stop()


@pytest.fixture(scope="module")
def web(deployment: Deployment) -> Iterator[Web]:
    """gunicorn as Procfile.prod starts it (two workers), on the primary and its replica."""
    env = {k: v for k, v in deployment.env.items() if k != "REGISTRY_VAR_DIR"}
    with running(deployment.scratch, collect_static=False, CONN_MAX_AGE="0", **env) as server:
        yield server
        server.process.send_signal(signal.SIGQUIT)  # idle by then: a quick shutdown will do


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[Path]:
    """Start a Celery worker (it boots while the tests before its own run); yield its log."""
    log_path = deployment.scratch / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", *WORKER_OPTIONS],
            cwd=BASE_DIR,
            env=deployment.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield log_path
    process.kill()  # idle by then: nothing to finish
    process.wait(timeout=30)


def as_session(web: Web, session: str) -> Web:
    """Return a client of ``web`` holding the admin session ``session``."""
    client = Web(web.url, web.process)
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def milestone(web: Web, token: str, code: str = AI) -> dict[str, Any]:
    """Return milestone M1 of project ``code`` as ``token``'s caller reads it."""
    status, _, body = web.send(f"/api/v1/projects/{code}/", **bearer(token))
    assert status == 200, body
    return next(m for m in json.loads(body)["milestones"] if m["id"] == "M1")


def reschedule(officer: Web, code: str, due: str) -> tuple[int, str]:
    """Reschedule M1 of ``code`` in the admin's command form, as ``officer`` would."""
    path = f"/admin/projects/project/{code}/command/reschedule-milestone/"
    form = officer.send(path)[2].decode()
    fields = {
        "csrfmiddlewaretoken": re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[0],
        "expected_version": re.findall(r'name="expected_version" value="(\d+)"', form)[0],
        "milestone_id": "M1",
        "new_due_date": due,
        "reason": "Waiting for the lab's report",
    }
    status, _, page = officer.send(
        path,
        data=urllib.parse.urlencode(fields).encode(),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": officer.cookies[settings.CSRF_COOKIE_NAME],
        },
    )
    return status, page.decode()


def due_dates(officer: Web, code: str) -> str:
    """Return the milestone list of project ``code`` as the officer's admin page shows it."""
    status, _, page = officer.send(f"/admin/projects/milestone/?q={code}")
    assert status == 200
    return page.decode()


@pytest.fixture(scope="module")
def checks(deployment: Deployment) -> list[subprocess.Popen[str]]:
    """Start ``check --deploy`` with the replica, and with the primary posing as one."""
    return [
        deployment.manage("check", "--deploy", "--database", "default"),
        deployment.manage(
            "check",
            "--deploy",
            "--database",
            "default",
            DATABASE_REPLICA_URL=deployment.cluster.primary.url("registry"),
            CACHE_URL="",
        ),
    ]


# The checks, the worker and the web start one after the other without waiting for each
# other, so they boot side by side.
def test_migrate_runs_on_the_primary_and_check_deploy_checks_the_replica(
    deployment: Deployment, checks: list[subprocess.Popen[str]], worker: Path, web: Web
) -> None:
    cluster = deployment.cluster
    cluster.wait_replayed()
    applied = "SELECT count(*) FROM django_migrations"
    clean, wrong = (check.communicate(timeout=120)[0] for check in checks)

    assert cluster.replica.query("SELECT pg_is_in_recovery()") is True
    assert cluster.replica.query(applied, database="registry") == cluster.primary.query(
        applied, database="registry"
    ), "the replica has the migrations through the WAL"
    assert "System check identified" in clean, clean
    assert not re.findall(r"registry\.W01\d", clean), clean
    assert "registry.W010" in wrong, "a cache per process cannot carry writes"
    assert "registry.W012" in wrong, "the primary is no standby"


def test_reads_go_to_the_replica_and_a_writer_reads_its_writes_from_the_primary(
    deployment: Deployment, web: Web, worker: Path
) -> None:
    cluster = deployment.cluster
    writer, reader = deployment.writer, deployment.reader
    officer, colleague = (as_session(web, s) for s in deployment.sessions)
    cluster.wait_replayed()
    scans = deployment.replica_scans()
    assert web.send("/api/v1/projects/", **bearer(reader))[0] == 200
    wait_for(lambda: deployment.replica_scans() > scans, "the list read on the replica")

    cluster.pause_replay()
    try:
        claimed = claim(web, writer, uuid.uuid4().hex)
        rescheduled, page = reschedule(officer, ROBOTICS, "2025-11-30")
        # Several requests each: gunicorn's two workers share the writers' marks in Redis.
        writer_sees = [milestone(web, writer)["pending_claim"] for _ in range(4)]
        reader_sees = [milestone(web, reader)["pending_claim"] for _ in range(4)]
        writer_feed = web.send("/api/v1/events/?limit=200", **bearer(writer))[2].decode()
        reader_feed = web.send("/api/v1/events/?limit=200", **bearer(reader))[2].decode()
        officer_pages = [due_dates(officer, ROBOTICS) for _ in range(3)]
        colleague_pages = [due_dates(colleague, ROBOTICS) for _ in range(3)]
        export = f"/admin/projects/milestone/export/csv/?q={ROBOTICS}"  # streamed rows
        officer_csv, colleague_csv = (who.send(export)[2].decode() for who in (officer, colleague))
    finally:
        cluster.resume_replay()
    cluster.wait_replayed()

    assert claimed[0] == 201, claimed[2]
    assert rescheduled == 200
    assert "2025-11-30" in page, "the page after saving shows the change"
    assert all(seen and seen["outcome"] == "met" for seen in writer_sees), writer_sees
    assert reader_sees == [None] * 4, "another caller reads the paused replica"
    assert "MilestoneClaimed" in writer_feed
    assert "MilestoneClaimed" not in reader_feed
    assert all("2025-11-30" in p for p in officer_pages)
    assert not any("2025-11-30" in p for p in colleague_pages)
    assert "2025-11-30" in officer_csv
    assert ROBOTICS in colleague_csv
    assert "2025-11-30" not in colleague_csv
    assert milestone(web, reader)["pending_claim"]["outcome"] == "met", "once replayed"
    assert "2025-11-30" in due_dates(colleague, ROBOTICS)


def test_a_task_queued_by_work_that_wrote_reads_that_write(
    deployment: Deployment, web: Web, worker: Path
) -> None:
    cluster, inbox = deployment.cluster, deployment.inbox
    wait_for(lambda: "ready." in worker.read_text(), "the worker", log=worker)
    cluster.wait_replayed()
    cluster.pause_replay()
    try:
        officer = as_session(web, deployment.sessions[0])
        assert reschedule(officer, ROBOTICS, "2025-12-31")[0] == 200
        # The digest that tells of the change: the one of the week ending next Monday 09:00.
        today = plan.digest_week(timezone.now()) + dt.timedelta(days=7)
        lagging = cluster.replica.query(HEAD, database="registry")
        written = cluster.primary.query(HEAD, database="registry")
        # Queued as beat queues it, after no write of its own: it reads the replica.
        producer = Celery("registry")
        with producer.connection_for_write(deployment.env["CELERY_BROKER_URL"]) as broker:
            producer.send_task(
                "notifications.send_digests",
                kwargs={"today": today.isoformat()},
                connection=broker,
            )
        producer.close()
        wait_for(lambda: len(inbox.to(CHIEF)) == 1, "the first digest", log=worker)
        # Queued by a command right after its own write: it reads that write.
        next_week = (today + dt.timedelta(days=7)).isoformat()
        deployment.python(REGISTER_AND_QUEUE, "HKZJ-2026-RR-01", next_week)
        wait_for(lambda: len(inbox.to(CHIEF)) == 2, "the second digest", log=worker)
        registered = cluster.primary.query(HEAD, database="registry")
    finally:
        cluster.resume_replay()

    first, second = (m.get_body(("plain",)).get_content() for m in inbox.to(CHIEF))
    built_at = [int(re.findall(r"position\s+(\d+),\s+hash", mail)[0]) for mail in (first, second)]
    assert lagging < written, "the replica had not replayed the officer's change"
    assert built_at == [lagging, registered], "the first on the replica, the second on the primary"
    assert AI in first
    assert "HKZJ-2026-RR-01" in second


def test_reads_go_to_the_primary_while_the_replica_is_down_and_readyz_stays_ready(
    deployment: Deployment, web: Web
) -> None:
    cluster, reader = deployment.cluster, deployment.reader
    cluster.replica.stop()
    try:
        # A worker that read the replica a moment ago tries it once more: that request
        # answers 503 (nothing written) and the worker asks the replica again at once.
        answers = [web.send(f"/api/v1/projects/{AI}/", **bearer(reader))[0] for _ in range(8)]
        ready = web.send("/readyz")[0]
    finally:
        cluster.replica.start()
    log = (deployment.scratch / "gunicorn.log").read_text()

    assert set(answers) <= {200, 503}
    assert answers.count(503) <= 2, "at most once for each of the two gunicorn workers"
    assert answers[-4:] == [200] * 4, answers
    assert ready == 200, "a replica outage takes no process out of the pool"
    assert "readiness check replica failed" in log
    assert "reads go to the primary meanwhile" in log
    cluster.wait_replayed()
    scans = deployment.replica_scans()
    wait_for(
        lambda: (
            web.send("/api/v1/projects/", **bearer(reader))[0] == 200
            and deployment.replica_scans() > scans
        ),
        "reads back on the replica",
        timeout=30,
    )
    assert "Replica usable again" in (deployment.scratch / "gunicorn.log").read_text()
