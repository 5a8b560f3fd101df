"""Load held: locust (headless) against the production layout, then what must still hold.

``python -m reliability.load [--seconds 75] [--users 20] [--smoke] [--out FILE]``, part
of ``make reliability`` (which installs requirements/load.txt). On PostgreSQL and Redis
(``DATABASE_URL``, ``CELERY_BROKER_URL``):

1. A fresh database beside ``DATABASE_URL``'s (its name plus ``_load``, dropped first):
   migrated, the seed data loaded, liaison officers' logins and one API token per
   partner organisation made, and the simulated users' plan written.
2. The production layout from ``Procfile.prod`` on loopback: gunicorn with two worker
   processes, two Celery workers, one beat; Redis as broker and cache; a real SMTP
   server (aiosmtpd) receiving the mail.
3. locust on :mod:`reliability.locustfile` for a bounded time (``--seconds``), while
   the reminder and digest scans are queued every few seconds, two of each at once.
4. Once the mail has settled, the layout stopped; then the checks: every accepted write
   is in the log (each claim's Idempotency-Key and each admin change's reason, at the
   version answered) and nothing else was written, ``verify_ledger`` passes, the read
   models equal a replay, no feed reader missed or repeated an event, and no mail went
   out twice (the SMTP server's messages against the dispatch log).

Exits non-zero when a check failed or a request got a 5xx; ``--out`` keeps the figures
as JSON for :mod:`reliability.run`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import io
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reliability.markdown import table

BASE_DIR = Path(__file__).resolve().parent.parent
PROCFILE = BASE_DIR / "Procfile.prod"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_SECONDS = 75
DEFAULT_USERS = 20
SMOKE_SECONDS = 6
SMOKE_USERS = 6
PARTNERS = 12  # partner organisations given a token (users share them round-robin)
STAFF = 3  # liaison officers' logins
WORKERS = 2  # Celery worker processes (one beat besides)
SCAN_EVERY = 10  # seconds between the mail scans queued during the run
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/registry",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def user_counts(users: int) -> dict[str, int]:
    """Split ``users`` among the kinds: readers, feed readers, claimers, officers."""
    staff = max(1, users // 6)
    feed = max(1, users // 4)
    claimer = max(1, users // 4)
    return {
        "reader": max(1, users - staff - feed - claimer),
        "feed": feed,
        "claimer": claimer,
        "staff": staff,
    }


def load_database_url(url: str) -> str:
    """Return the load run's own database URL: ``url``'s database name plus ``_load``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_load"))


def recreate_database(url: str) -> None:
    """Drop the database of ``url`` (disconnecting its users) and create it empty."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# -- before: the database and the plan --------------------------------------------------------


def prepare(users: int) -> dict[str, Any]:
    """Migrate, load the seeds, make logins and tokens; return the users' plan."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from projects import models as rm
    from projects import selectors
    from projects.api import tokens
    from projects.api.management.commands.issue_api_token import cli_actor
    from projects.domain.access import HolderKind
    from projects.roles import LIAISON_OFFICERS, ensure_roles

    call_command("migrate", verbosity=0)
    call_command("load_seeds", verbosity=0)
    ensure_roles()
    today = timezone.localdate()
    staff = []
    for n in range(1, STAFF + 1):
        login = {"username": f"load-officer-{n}", "password": secrets.token_urlsafe(16)}
        email = f"{login['username']}@load.example.org"  # officers receive mail too
        user = get_user_model().objects.create_user(**login, email=email, is_staff=True)
        user.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
        staff.append(login)
    open_milestones = rm.Milestone.objects.filter(
        status__in=rm.OPEN_MILESTONE_STATUSES,
        project__status__in=["implementation", "finalisation", "pipeline"],
        project__planned_start__lte=today,
    ).select_related("project")
    claimable: dict[str, list[list[str]]] = collections.defaultdict(list)
    for m in open_milestones:
        claimable[m.responsible_id].append([m.project_id, m.milestone_id])
    ranked = sorted(claimable, key=lambda org: (-len(claimable[org]), org))[:PARTNERS]
    partners = []
    for org in ranked:
        issued = tokens.issue(
            holder_kind=HolderKind.ORGANISATION,
            holder_id=org,
            name="Load run",
            actor=cli_actor(),
        )
        codes = list(selectors.visible_projects(org).values_list("code", flat=True))
        partners.append(
            {
                "organisation": org,
                "token": issued.token,
                "projects": codes,
                "claimable": claimable[org],
            }
        )
    # Officers reschedule the milestones partners claim: both doors meet on the same
    # projects, so the conflicts designed for (412, the admin's stale form) can happen.
    milestones = [
        {
            "project": m.project_id,
            "id": m.milestone_id,
            "start": m.project.planned_start.isoformat(),
            "end": m.project.planned_end.isoformat(),
        }
        for m in open_milestones
        if m.responsible_id in ranked
    ]
    return {
        "today": today.isoformat(),
        "open_statuses": rm.OPEN_MILESTONE_STATUSES,
        "users": user_counts(users),
        "partners": partners,
        "staff": staff,
        "milestones": milestones,
    }


# -- during: the production layout and locust --------------------------------------------------


def layout_commands(scratch: Path) -> list[tuple[str, str]]:
    """Return (name, shell command) of each process, from Procfile.prod's lines."""
    lines = dict(line.split(":", 1) for line in PROCFILE.read_text().splitlines() if ":" in line)
    commands = [("web", lines["web"].strip())]
    for n in range(1, WORKERS + 1):
        commands.append((f"worker{n}", f"{lines['worker'].strip()} -n load{n}@%h"))
    beat = f"{lines['beat'].strip()} -s {scratch / 'celerybeat-schedule'}"
    return [*commands, ("beat", beat)]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@contextlib.contextmanager
def layout(env: dict[str, str], scratch: Path) -> Iterator[str]:
    """Run the production layout; yield the web's URL once ready; stop it afterwards."""
    url = f"http://{env['HOST']}:{env['PORT']}"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    processes: list[tuple[str, subprocess.Popen[bytes], Any]] = []
    try:
        for name, command in layout_commands(scratch):
            log = (scratch / f"{name}.log").open("w")
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append((name, process, log))
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                if _get(url + "/readyz") == 200:
                    break
            for name, process, _log in processes:
                if process.poll() is not None:
                    raise SystemExit(
                        f"load: {name} stopped: {(scratch / f'{name}.log').read_text()}"
                    )
            if time.monotonic() > deadline:
                raise SystemExit("load: the web was not ready after 90 s")
            time.sleep(0.3)
        for n in range(1, WORKERS + 1):
            _until_logged(scratch / f"worker{n}.log", "ready", deadline)
        yield url
    finally:
        for _name, process, _log in processes:
            process.send_signal(signal.SIGTERM)
        for _name, process, log in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _until_logged(path: Path, text: str, deadline: float) -> None:
    while text not in path.read_text():
        if time.monotonic() > deadline:
            raise SystemExit(f"load: {path.name} never said {text!r}")
        time.sleep(0.3)


def run_locust(url: str, *, plan: Path, record: Path, seconds: int, users: int) -> int:
    """Run locust headless for ``seconds`` (its record goes to ``record``), queueing the
    mail scans meanwhile; return how many scans were queued."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{seconds}s",
        "--host",
        url,
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RECORD": str(record)}
    # locust exits 1 when a request failed; the figures say which, so that is not fatal.
    locust = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    scans = 0
    while locust.poll() is None:
        scans += queue_mail_scans()
        with contextlib.suppress(subprocess.TimeoutExpired):
            locust.wait(timeout=SCAN_EVERY)
    if not record.exists():
        raise SystemExit("load: locust wrote no record")
    return scans


def queue_mail_scans() -> int:
    """Queue the reminder and digest scans twice each, as two beats' ticks at once would.

    Beat queues them every 15 minutes (and once when it starts); here they come every
    few seconds, two of each, so both workers scan at the same time while partners claim
    (a claim is a reminder's occasion) and the dispatch log must let each mail out once.
    """
    from config.celery import app

    for _ in range(2):
        app.send_task("notifications.send_reminders")
        app.send_task("notifications.send_digests")
    return 4


@contextlib.contextmanager
def smtp_server(port: int) -> Iterator[Any]:
    """Run a real SMTP server (aiosmtpd, in a thread) on ``port``; yield its inbox."""
    from aiosmtpd.controller import Controller

    from testkit.smtp import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def until_mail_settled(deadline_s: float = 120) -> float:
    """Wait until the broker's queue is empty and no dispatch is claimed; return seconds."""
    import redis

    from projects.notifications.outbox import Dispatch, State

    started = time.monotonic()
    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    quiet = 0
    while quiet < 3:
        busy = broker.llen("celery") or Dispatch.objects.filter(state=State.CLAIMED).exists()
        quiet = 0 if busy else quiet + 1
        if time.monotonic() - started > deadline_s:
            break
        time.sleep(1)
    return time.monotonic() - started


# -- afterwards: the figures and the checks --------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


def kinds(record: dict[str, Any], seconds: float) -> list[dict[str, Any]]:
    """Return, per kind of request: count, p50/p95/p99 ms and the answers by class."""
    by_status: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for name, code, n in record["statuses"]:
        by_status[name][code] += n
    rows = []
    for name, times in sorted(record["timings_ms"].items()):
        codes = by_status[name]
        again = {kind: by_status[f"{name} ({kind})"][200] for kind in ("conflict", "refused")}
        # A retry with the same Idempotency-Key must get the first answer: no conflict.
        designed = () if name.endswith("(retried)") else (409, 412)
        rows.append(
            {
                "kind": name,
                "requests": len(times),
                "per_s": len(times) / seconds,
                "p50_ms": percentile(times, 0.50),
                "p95_ms": percentile(times, 0.95),
                "p99_ms": percentile(times, 0.99),
                "ok": sum(n for c, n in codes.items() if 200 <= c < 400)
                - again["conflict"]
                - again["refused"],
                "conflict_409": codes[409] if 409 in designed else 0,
                "conflict_412": codes[412] if 412 in designed else 0,
                "form_conflict": again["conflict"],
                "form_refused": again["refused"],
                "client_4xx": sum(
                    n for c, n in codes.items() if 400 <= c < 500 and c not in designed
                ),
                "server_5xx": sum(n for c, n in codes.items() if c >= 500),
                "no_answer": codes[0],
            }
        )
    return rows


def check_writes(record: dict[str, Any], head_before: int) -> dict[str, Any]:
    """Look up every accepted claim and admin change in the log; count anything else."""
    from projects.domain import project
    from registry.models import StoredEvent

    events = StoredEvent.objects.filter(stream_type=project.STREAM_TYPE)
    missing: list[str] = []
    replays = replays_ok = 0
    for claim in record["claims"]:
        found = list(events.filter(metadata__idempotency_key=claim["key"]))
        if not (
            len(found) == 1
            and found[0].event_type == "MilestoneClaimed"
            and found[0].stream_id == claim["project"]
            and found[0].position == claim["position"]
            and found[0].version == claim["version"]
            and not claim["replayed"]
        ):
            missing.append(f"claim {claim['key']}: {len(found)} events")
        again = claim.get("retry")  # the same request sent again: the first answer
        if again is not None:
            replays += 1
            replays_ok += again["replayed"] and again["position"] == claim["position"]
    expected_type = {
        "reschedule-milestone": "MilestoneRescheduled",
        "return-claim": "MilestoneClaimReturned",
    }
    for change in record["changes"]:
        found = list(events.filter(stream_id=change["project"], data__reason=change["reason"]))
        if not (
            len(found) == 1
            and found[0].event_type == expected_type[change["action"]]
            and found[0].version == change["version"]
        ):
            missing.append(f"{change['action']} {change['reason']}: {len(found)} events")
    accepted = len(record["claims"]) + len(record["changes"])
    written = StoredEvent.objects.filter(position__gt=head_before).count()
    return {
        "claims": len(record["claims"]),
        "changes": len(record["changes"]),
        "by_action": dict(collections.Counter(c["action"] for c in record["changes"])),
        "replays": replays,
        "replays_answered_first": replays_ok,
        "not_found": missing,
        "written": written,
        "passed": not missing and written == accepted and replays == replays_ok,
    }


def check_ledger() -> dict[str, Any]:
    """Run ``verify_ledger`` (chain) and the drift check (read models against a replay)."""
    from django.core.management import CommandError, call_command

    from registry import replay

    out = io.StringIO()
    try:
        call_command("verify_ledger", "--no-drift", stdout=out, stderr=out)
        chain = True
    except CommandError as error:
        out.write(str(error))
        chain = False
    drifted = replay.drift()
    return {
        "verify_ledger": chain,
        "verify_output": out.getvalue().strip().splitlines()[-2:],
        "drift": [str(d) for d in drifted],
        "passed": chain and not drifted,
    }


def check_feed(record: dict[str, Any]) -> dict[str, Any]:
    """Compare each feed reader's positions with the log's for its organisation."""
    from projects import selectors
    from projects.domain import project
    from registry.models import StoredEvent
    from registry.store import head

    position, _hash = head()
    readers = []
    for reader in record["readers"]:
        codes = selectors.visible_projects(reader["organisation"]).values_list("code", flat=True)
        expected = list(
            StoredEvent.objects.filter(
                stream_type=project.STREAM_TYPE,
                stream_id__in=list(codes),
                position__lte=reader["after"],
            )
            .order_by("position")
            .values_list("position", flat=True)
        )
        seen = reader["positions"]
        readers.append(
            {
                "organisation": reader["organisation"],
                "pages": reader["pages"],
                "events": len(seen),
                "cursor": reader["after"],
                "missed": len(set(expected) - set(seen)),
                "repeated": len(seen) - len(set(seen)),
                "in_order": seen == sorted(seen),
                "equal": seen == expected,
            }
        )
    return {
        "head": position,
        "readers": readers,
        "events_handed_out": sum(r["events"] for r in readers),
        "missed": sum(r["missed"] for r in readers),
        "repeated": sum(r["repeated"] for r in readers),
        "behind_head": max((position - r["cursor"] for r in readers), default=0),
        "passed": bool(readers) and all(r["equal"] for r in readers),
    }


def check_mail(inbox: Any) -> dict[str, Any]:
    """No mail went out twice: the SMTP server's messages against the dispatch log.

    Every dispatch marked sent arrived exactly once (by its Message-ID), nothing arrived
    that the log does not hold, and none is left claimed or failed.
    """
    from projects.notifications.outbox import Dispatch, State

    received = collections.Counter(str(m["Message-ID"]) for m in inbox.messages)
    dispatches = list(Dispatch.objects.values("kind", "state", "message_id"))
    sent = {d["message_id"] for d in dispatches if d["state"] == State.SENT}
    states = collections.Counter(d["state"] for d in dispatches)
    kinds_sent = collections.Counter(d["kind"] for d in dispatches if d["state"] == State.SENT)
    twice = sum(1 for n in received.values() if n > 1)
    unknown = len(set(received) - {d["message_id"] for d in dispatches})
    lost = len(sent - set(received))
    return {
        "received": sum(received.values()),
        "dispatches": len(dispatches),
        "sent": len(sent),
        "by_kind": dict(sorted(kinds_sent.items())),
        "states": dict(states),
        "twice": twice,
        "unknown": unknown,
        "lost": lost,
        "passed": twice == 0
        and unknown == 0
        and lost == 0
        and not states.get(State.CLAIMED)
        and not states.get(State.FAILED),
    }


# -- the run -------------------------------------------------------------------------------------


def _environment(args: argparse.Namespace, scratch: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        CACHE_URL=os.environ["CELERY_BROKER_URL"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: a TLS proxy would sit in front in production.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        # Partners share a dozen tokens here; the per-token rate is not what is measured.
        API_THROTTLE_RATE="100000/minute",
        REGISTRY_VAR_DIR=str(scratch / "var"),
        EMAIL_URL=f"smtp://127.0.0.1:{args.smtp_port}",
        SITE_URL=f"http://127.0.0.1:{args.port}",
        HOST="127.0.0.1",
        PORT=str(args.port),
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="1",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare, load, check; return the figures."""
    for name, default in DEFAULTS.items():
        os.environ.setdefault(name, default)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("the load run needs PostgreSQL: set DATABASE_URL=postgres://...")
    url = load_database_url(os.environ["DATABASE_URL"])
    recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="registry-load-") as tmp:
        scratch = Path(tmp)
        env = _environment(args, scratch, url)
        os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")})
        os.environ.update({k: env[k] for k in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")})
        os.environ["REGISTRY_VAR_DIR"] = env["REGISTRY_VAR_DIR"]
        import django

        django.setup()
        from registry.store import head

        started = time.monotonic()
        plan = prepare(args.users)
        users = sum(plan["users"].values())
        plan_path, record_path = scratch / "plan.json", scratch / "record.json"
        plan_path.write_text(json.dumps(plan))
        head_before, _hash = head()
        _say(
            f"prepared in {time.monotonic() - started:.0f} s: {head_before} events, "
            f"{len(plan['partners'])} partner tokens, users {plan['users']}"
        )
        up = time.monotonic()
        with smtp_server(args.smtp_port) as inbox, layout(env, scratch) as web:
            _say(f"layout started in {time.monotonic() - up:.0f} s")
            _say(f"production layout up at {web}; locust for {args.seconds} s, {users} users")
            load_before = os.getloadavg()[0]
            scans = run_locust(
                web,
                plan=plan_path,
                record=record_path,
                seconds=args.seconds,
                users=users,
            )
            load_after = os.getloadavg()[0]
            settled = until_mail_settled()
            _say(f"{scans} mail scans queued; settled {settled:.0f} s after the load")
        record = json.loads(record_path.read_text())
        checked = time.monotonic()
        rows = kinds(record, args.seconds)
        figures = {
            "seconds": args.seconds,
            "users": plan["users"],
            "layout": {"web_processes": 2, "celery_workers": WORKERS, "beat": 1},
            "events_before": head_before,
            "load_average": [round(load_before, 1), round(load_after, 1)],
            "kinds": rows,
            "writes": check_writes(record, head_before),
            "ledger": check_ledger(),
            "feed": check_feed(record),
            "mail": {**check_mail(inbox), "scans": scans, "settled_s": settled},
            "refusals": record["refusals"],
        }
        _say(
            f"checked in {time.monotonic() - checked:.0f} s; "
            f"{time.monotonic() - started:.0f} s in all"
        )
    totals = {
        key: sum(r[key] for r in rows)
        for key in (
            "requests",
            "server_5xx",
            "client_4xx",
            "conflict_409",
            "conflict_412",
            "no_answer",
        )
    }
    totals["form_again"] = sum(r["form_conflict"] + r["form_refused"] for r in rows)
    figures["totals"] = totals
    checks = [figures[k]["passed"] for k in ("writes", "ledger", "feed", "mail")]
    # Every answer is accepted, a designed conflict or refusal, or counts against the run.
    unexpected = totals["server_5xx"] + totals["client_4xx"] + totals["no_answer"]
    figures["passed"] = all(checks) and unexpected == 0
    return figures


def summary(figures: dict[str, Any]) -> str:
    """Return the figures as a few lines of text."""
    lines = [
        f"{r['kind']}: {r['requests']} requests, p50/p95/p99 {r['p50_ms']:.0f}/"
        f"{r['p95_ms']:.0f}/{r['p99_ms']:.0f} ms, 409 {r['conflict_409']}, "
        f"412 {r['conflict_412']}, form again {r['form_conflict'] + r['form_refused']}, "
        f"5xx {r['server_5xx']}"
        for r in figures["kinds"]
    ]
    writes, feed, ledger = figures["writes"], figures["feed"], figures["ledger"]
    lines += [
        f"accepted writes: {writes['claims']} claims, {writes['changes']} admin changes; "
        f"{writes['written']} events written; not found {len(writes['not_found'])}",
        f"verify_ledger: {'passed' if ledger['verify_ledger'] else 'FAILED'}; "
        f"drift: {ledger['drift'] or 'none'}",
        f"feed: {len(feed['readers'])} readers, {feed['events_handed_out']} events, "
        f"missed {feed['missed']}, repeated {feed['repeated']}",
        f"mail: {figures['mail']['received']} received, {figures['mail']['sent']} sent in "
        f"the dispatch log, {figures['mail']['twice']} twice, {figures['mail']['lost']} lost",
        "PASSED" if figures["passed"] else "FAILED",
    ]
    return "\n".join(lines)


COLUMNS = [
    "kind",
    "requests",
    "per s",
    "p50 / p95 / p99 ms",
    "accepted",
    "409 / 412 (designed)",
    "form again: stale / refused (designed)",
    "other 4xx",
    "5xx",
]
HEADING = "## Load held"


def _para(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), 90, break_on_hyphens=False, break_long_words=False)


def render_section(figures: dict[str, Any], command: str) -> str:
    """Return the "Load held" section of docs/RELIABILITY.md (Markdown)."""
    rows = [
        [
            r["kind"],
            f"{r['requests']:,}",
            f"{r['per_s']:.2f}",
            f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['p99_ms']:.0f}",
            f"{r['ok']:,}",
            f"{r['conflict_409']} / {r['conflict_412']}",
            f"{r['form_conflict']} / {r['form_refused']}",
            str(r["client_4xx"]),
            f"**{r['server_5xx']}**" if r["server_5xx"] else "0",
        ]
        for r in figures["kinds"]
    ]
    t, users, layout_ = figures["totals"], figures["users"], figures["layout"]
    writes, ledger, feed = figures["writes"], figures["ledger"], figures["feed"]
    by_action = ", ".join(f"{n} {a}" for a, n in sorted(writes["by_action"].items()))
    refusals = "; ".join(
        f"{reason} ({n})"
        for reason, n in sorted(figures.get("refusals", {}).items(), key=lambda kv: -kv[1])
    )
    mail = figures["mail"]
    by_kind = ", ".join(f"{n} {kind}" for kind, n in mail["by_kind"].items())
    states = ", ".join(f"{n} {state}" for state, n in sorted(mail["states"].items()))
    mail_line = f"""Mail: {mail["scans"]} scans queued during the run (reminders and
        digests, two of each every {SCAN_EVERY} s, so both workers scan at once), settled
        {mail["settled_s"]:.0f} s after the load. The SMTP server received
        {mail["received"]:,} messages; the dispatch log holds {mail["dispatches"]:,}
        ({states}; by kind: {by_kind or "none"}): {mail["twice"]} received twice,
        {mail["lost"]} marked sent but not received, {mail["unknown"]} received without a
        dispatch."""
    verdict = "**held**" if figures["passed"] else "**FAILED**"
    intro = f"""`{command}` ({figures["when"]}): locust {figures["locust"]} headless on
        loopback for {figures["seconds"]} s against the production layout from
        `Procfile.prod`: gunicorn with {layout_["web_processes"]} worker processes,
        {layout_["celery_workers"]} Celery workers and one beat, PostgreSQL, Redis as
        broker and cache, a real SMTP server (aiosmtpd), on a fresh database with the seed
        data ({figures["events_before"]} events before the run). {sum(users.values())}
        users: {users["reader"]} partners reading projects, {users["feed"]} following
        the feed (each keeps its cursor and
        records every position it is handed), {users["claimer"]} claiming milestones
        (`If-Match` and `Idempotency-Key`; one accepted claim in five sent again with the
        same key), {users["staff"]} liaison officers logged in to the admin, posting its
        command forms with their CSRF token (returning the claims partners made,
        rescheduling the milestones partners claim). People pause between reading and
        writing (0.2-3 s), so a write can meet another made meanwhile. Result: {verdict}."""
    answers = f"""{t["requests"]:,} requests: {t["server_5xx"]} answered 5xx,
        {t["client_4xx"]} other 4xx, {t["no_answer"]} without an answer. Conflicts
        answered as designed: {t["conflict_409"]} claims 409 (claimed meanwhile, or no
        longer open), {t["conflict_412"]} claims 412 (the ETag read before the pause was
        stale), {t["form_again"]} admin forms shown again with the reason
        ({refusals or "none"}). The times are locust's, at the client, per request, on a
        {os.cpu_count()}-core machine shared by the web, the workers, the database,
        locust and other work (load average {figures["load_average"][0]} when locust
        started, {figures["load_average"][1]} when it stopped)."""
    checks = [
        f"""Every accepted write is in the log: {writes["claims"]} claims answered 201,
        each found by its Idempotency-Key at the position and version answered, and
        {writes["changes"]} admin changes answered 302 ({by_action}), each found by its
        unique reason at the version after the form's; {len(writes["not_found"])} not
        found. {writes["written"]} events were written in all: nothing else, so no
        refused request wrote. {writes["replays"]} claims sent again with the same key:
        {writes["replays_answered_first"]} answered 201 with the first answer
        (`Idempotent-Replayed`), one event each.""",
        f"""`verify_ledger`: {"passed" if ledger["verify_ledger"] else "**failed**"};
        the read models against a replay (the drift check):
        {"equal" if not ledger["drift"] else ", ".join(ledger["drift"])}.""",
        f"""Feed: {len(feed["readers"])} readers were handed {feed["events_handed_out"]:,}
        events; against the log's positions of their organisations' projects up to each
        reader's cursor, {feed["missed"]} missed and {feed["repeated"]} repeated (the
        furthest was {feed["behind_head"]} positions behind the head when the run
        stopped).""",
        mail_line,
    ]
    bullets = "\n".join("- " + _para(c).replace("\n", "\n  ") for c in checks)
    more = f"""Longer or busier: `python -m reliability.load --seconds 600 --users 40` (or
        `make reliability LOAD_SECONDS=600 LOAD_USERS=40`); a quick look: `python -m
        reliability.load --smoke` ({SMOKE_SECONDS} s, {SMOKE_USERS} users). Even the
        smoke takes about a minute, most of it the layout's `collectstatic` and start, so
        `make test` runs only the checks (`tests/api/test_load_checks.py`: a missed and a
        repeated feed event, a lost claim and an unanswered write are found)."""
    return f"""{HEADING}

{_para(intro)}

{table(COLUMNS, rows)}

{_para(answers)}

Afterwards:

{bullets}

{_para(more)}
"""


def write_section(report: Path, section: str) -> None:
    """Put ``section`` into ``report`` in place of its "Load held" section (or at the end)."""
    text = report.read_text() if report.exists() else "# Reliability\n"
    start = text.find(HEADING + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    report.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Run the load and the checks; print the summary; exit 1 if anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS)
    parser.add_argument("--users", type=int, default=DEFAULT_USERS)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, a handful of users")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--report",
        action="store_true",
        help="write the figures into docs/RELIABILITY.md's 'Load held' section",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.users = SMOKE_SECONDS, SMOKE_USERS
    args.port = args.port or _free_port()
    args.smtp_port = _free_port()
    figures = run(args)
    figures["when"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    figures["locust"] = metadata.version("locust")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1))
    print(summary(figures))
    if args.report:
        command = "python -m reliability.load " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        write_section(
            BASE_DIR / "docs" / "RELIABILITY.md", render_section(figures, command.strip())
        )
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
