"""``make reliability``: run the reliability suite, measure the ledger head, write the report.

1. The reliability tests under pytest, on PostgreSQL and Redis (``DATABASE_URL`` and
   ``CELERY_BROKER_URL``, defaulting to this machine's, as CI's second pass), with
   ``HYPOTHESIS_PROFILE=reliability`` so the property tests try many more examples
   than in ``make test``: database roles, backup and restore, health probes, request
   ids through the worker, the admin under the Content-Security-Policy, deployment
   checks, and the properties.
2. The ledger-head throughput (:mod:`reliability.ledger_head`).
3. Load held (:mod:`reliability.load`): locust against the production layout, then the
   checks (``LOAD_SECONDS`` and ``LOAD_USERS`` make it longer or busier).
4. ``docs/RELIABILITY.md`` rewritten with all three, the command and the machine.

Exits non-zero when a test or a load check failed (the report says which).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reliability.junit import COMMAND, read_junit
from reliability.markdown import table

BASE_DIR = Path(__file__).resolve().parent.parent
REPORT = BASE_DIR / "docs" / "RELIABILITY.md"
SUITE = [
    "tests/reliability",
    "tests/config/test_health.py",
    "tests/config/test_request_context.py",
    "tests/config/test_deploy.py",
    "tests/config/test_production_web.py",
    "tests/registry/test_database_roles_command.py",
    "tests/browser/test_content_security_policy.py",
    "tests/api/test_cache_outage.py",
    "tests/registry/test_ledger_stall.py",
    # Bad input tried (the properties are under tests/reliability)
    "tests/api/test_schema.py",
    "tests/seeds/test_load_seeds.py",
    "tests/registry/test_import_refusals.py",
    "tests/registry/test_transfer.py",
    # Security (the isolation fuzz is under tests/reliability)
    "tests/api/test_permissions.py",
    "tests/api/test_tokens.py",
    "tests/api/test_token_secrecy.py",
    "tests/projects/domain/test_access.py",
    "tests/config/test_security_logs.py",
    "tests/config/test_transport_security.py",
    "tests/projects/admin/test_csrf.py",
    "tests/projects/application/test_contacts.py",
    # Hardening (issue 17): what an adversarial review broke
    "tests/config/test_supervision.py",
    "tests/notifications/test_old_data.py",
    "tests/notifications/test_at_least_once.py",
    "tests/projects/reading/test_export_formulas.py",
    "tests/projects/reading/test_old_data_pages.py",
    "tests/projects/domain/test_plaintext.py",
    "tests/projects/domain/test_dates.py",
    "tests/registry/test_chain_guard.py",
    "tests/api/test_strict_input.py",
    "tests/api/test_throttle_concurrency.py",
    "tests/api/test_calendar.py",
]
HEAD_COLUMNS = [
    "writers",
    "commands",
    "commands/s",
    "latency p50 / p95 ms",
    "head held p50 / p95 ms",
    "ceiling 1/hold per s",
    "head busy",
    "errors",
]
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/registry",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name, default in DEFAULTS.items():
        env.setdefault(name, default)
    if not env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("make reliability runs on PostgreSQL: set DATABASE_URL=postgres://...")
    env.setdefault("REGISTRY_VAR_DIR", str(BASE_DIR / "var" / "reliability"))
    env["HYPOTHESIS_PROFILE"] = "reliability"
    return env


def run_suite(env: dict[str, str], junit: Path) -> tuple[int, dict[str, Any]]:
    """Run the reliability tests; return pytest's exit code and the per-file results."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit1",
        *SUITE,
    ]
    _say("reliability: " + " ".join(command[2:]))
    code = subprocess.run([*command, f"--junitxml={junit}"], cwd=BASE_DIR, env=env).returncode
    return code, read_junit(junit)


def _writers(count: int) -> str:
    return f"{count} writer" + ("" if count == 1 else "s")


def _machine(env: dict[str, str], throughput: dict[str, Any]) -> str:
    server = throughput["server"]
    return "\n".join(
        [
            f"- {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} "
            f"{platform.release()}; shared with other work (load average "
            f"{throughput['load_before'][0]:.1f} before the throughput runs, "
            f"{throughput['load_after'][0]:.1f} after)",
            f"- Python {platform.python_version()}, Django {metadata.version('Django')}, "
            f"psycopg {metadata.version('psycopg')}, hypothesis {metadata.version('hypothesis')}",
            f"- PostgreSQL {server['server_version']} (synchronous_commit="
            f"{server['synchronous_commit']}, fsync={server['fsync']}, "
            f"wal_sync_method={server['wal_sync_method']}); "
            f"broker {urlsplit(env['CELERY_BROKER_URL']).scheme}",
        ]
    )


# The fault scenarios: test file, what is done to the registry, what must hold, and the
# figures (recorded by the tests with record_property) shown beside the result.
FAULTS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "tests/api/test_cache_outage.py",
        "Redis (the cache) stopped, then started again (a redis-server of the test's own)",
        "partners read and claim with no error (throttling fails open, logged once); "
        "throttling counts again once it is back",
        {"cache_down_mean_request_s": "mean request while down"},
    ),
    (
        "tests/reliability/test_redis_outage.py",
        "Redis stopped under gunicorn (2 workers), where it is both the broker and the "
        "cache, then started again",
        "API reads over the rate limit, a claim and an admin change all accepted and in "
        "the log; `/healthz` 200, `/readyz` 503 while down, 200 after; throttling counts "
        "in Redis again, no restart",
        {"redis_down_12_requests_s": "8 reads, an admin change and a claim while down"},
    ),
    (
        "tests/reliability/test_database_faults.py",
        "every application connection cut by `pg_terminate_backend` (gunicorn, 2 workers), "
        "idle and with requests in flight; the ledger head held by a stalled transaction",
        "in flight: 503 problem+json (API) and a 503 page (admin), the next requests 200 "
        "from the same worker processes; head held: claim and admin change 503 after "
        "`LEDGER_LOCK_TIMEOUT`=1 s (the admin form again, with the reason and what was "
        "typed), nothing written, the feed answers with committed "
        "events only, the same claim succeeds after",
        {
            "cut_in_flight_answered_s": "cut to 503",
            "first_requests_after_cut_s": "two requests after",
            "ledger_busy_refused_after_s": "claim refused after",
        },
    ),
    (
        "tests/registry/test_ledger_stall.py",
        "a transaction stalls holding the ledger head, then commits or rolls back",
        "other writers get LedgerBusy after the timeout (0.5 s), nothing written; readers "
        "see only the committed prefix, then every position once, no gap",
        {
            "ledger_busy_after_s_commit": "refused after (commit)",
            "ledger_busy_after_s_rollback": "refused after (rollback)",
        },
    ),
    (
        "tests/reliability/test_mail_faults.py::test_a_worker_killed_mid_batch_leaves_every_reminder_sent_once",
        "a Celery worker (prefork) killed with SIGKILL to its main process while sending "
        "a batch of reminders, its child in the middle of one mail; a fresh worker started",
        "the fresh worker's scan sends the rest and leaves the dead worker's claim alone; "
        "once the claim lease has run out (30 min, simulated by the next scan's clock) that "
        "one goes out with its Message-ID: every reminder received once, none missing, none "
        "marked sent but not received",
        {
            "worker_killed_mails": ("reminders", ""),
            "worker_killed_after_mails": ("killed after", " received"),
            "worker_killed_rest_sent_s": ("kill to the rest sent", " s"),
        },
    ),
    (
        "tests/reliability/test_mail_faults.py::test_with_the_mail_server_down_the_scan_retries_and_sends_everything_once_it_returns",
        "the SMTP server not listening while a worker runs a scan of reminders (3 s and "
        "two retries at least), then listening again (`MAIL_RETRY_BACKOFF`=2 s, "
        "`MAIL_RETRY_BACKOFF_MAX`=4 s, full jitter)",
        "the scan retries with backoff and claims nothing while the server is down (no mail "
        "uses up an attempt); after it returns every reminder is received once, each at its "
        "first attempt",
        {
            "smtp_down_mails": ("reminders", ""),
            "smtp_down_retries": ("retries", ""),
            "smtp_down_s": ("down", " s"),
            "smtp_back_last_mail_s": ("back to the last mail", " s"),
        },
    ),
    (
        "tests/reliability/test_mail_faults.py::test_a_claim_made_while_redis_is_down_is_mailed_once_redis_returns",
        "Redis (the broker) stopped under gunicorn, a worker and beat (scans every 2 s: "
        "`MAIL_SCAN_SECONDS`), then started again, empty",
        "a partner's claim is accepted while it is down and no scan runs; beat and the "
        "worker reconnect by themselves and the claim awaiting confirmation is in the "
        "next reminder mail of an officer who follows it, once",
        {"redis_back_claim_mailed_s": ("Redis back to the claim mailed", " s")},
    ),
    (
        "tests/config/test_supervision.py::test_a_worker_killed_under_make_serve_comes_back_while_web_keeps_answering",
        "the Celery worker killed with SIGKILL under `make serve` (supervisord; gunicorn with "
        "2 workers, beat), web asked for `/healthz` and the admin's login page every 50 ms",
        "supervisord starts the worker again by itself; web and beat keep their processes "
        "and web answers every request with 200 meanwhile; stopping supervisord then "
        "leaves no process of the three, nor any of their children",
        {
            "worker_back_s": "kill to the worker running again",
            "web_answers_meanwhile": ("web answers meanwhile, all 200", ""),
        },
    ),
    (
        "tests/notifications/test_old_data.py",
        "a milestone recorded (through the store, as old data was) with a title holding "
        "CR LF, the C1 next-line, a line separator and a right-to-left override; a "
        "contact's stored address holding a line break; a reminder whose rendering fails",
        "the scan goes on: the title is mailed on one line without the override; the mail "
        "that cannot be built is marked failed on its dispatch with the error (not "
        "retried), every other mail is sent, nothing stays claimed",
        {
            "old_title_mails_sent": ("mails with the old title sent", ""),
            "unbuildable_sent_failed": ("address with a line break", ""),
        },
    ),
    (
        "tests/reliability/test_deploy_backup.py::test_the_documented_backup_and_restore_run_as_written",
        "an operator following docs/DEPLOY.md to the letter: its backup and restore shell "
        "blocks taken out of the file and run word for word in `bash -euo pipefail` "
        "(a new database and roles of the test's own)",
        "`ledger_head` records `POSITION:HASH` alone; the import checks it, "
        "`verify_ledger --checkpoint` matches, the restored head and read models equal "
        "the original's",
        {
            "deploy_backup_restore_s": "backup and restore",
            "deploy_backup_events": ("events", ""),
        },
    ),
]


def _figure(label: str | tuple[str, str], value: str) -> str:
    """Return one figure as shown: a label alone means seconds; else (label, unit)."""
    name, unit = (label, " s") if isinstance(label, str) else label
    return f"{name}: {value}{unit}"


def _faults(suite: dict[str, Any]) -> str:
    rows = []
    for where, done, holds, names in FAULTS:
        path, _, test = where.partition("::")
        result: dict[str, Any] = suite.get(path, {"tests": 0, "failed": 0})
        if test:  # one scenario of a file of several: its own result
            result = result.get("cases", {}).get(test, {"tests": 0, "failed": 0})
        figures = result.get("figures", {})
        shown = "; ".join(_figure(label, figures[k]) for k, label in names.items() if k in figures)
        verdict = (
            "not run"
            if not result["tests"]
            else "passed"
            if not result["failed"]
            else f"**{result['failed']} failed**"
        )
        rows.append([done, holds, verdict, shown or "-", f"`{path}`"])
    return table(["fault", "what must hold", "result", "figures", "test"], rows)


def run_load(env: dict[str, str], out: Path) -> tuple[int, dict[str, Any] | None]:
    """Run the load scenario; return its exit code and figures (None if it wrote none)."""
    command = [sys.executable, "-m", "reliability.load", "--out", str(out)]
    for flag, name in (("--seconds", "LOAD_SECONDS"), ("--users", "LOAD_USERS")):
        if env.get(name):
            command += [flag, env[name]]
    _say("reliability: " + " ".join(command[2:]))
    code = subprocess.run(command, cwd=BASE_DIR, env=env).returncode
    return code, json.loads(out.read_text()) if out.exists() else None


def _load_held(load: dict[str, Any] | None) -> str:
    from reliability import load as load_run

    if load is None:
        return f"{load_run.HEADING}\n\nThe load run stopped before its checks (see its output).\n"
    return load_run.render_section(load, COMMAND)


def render(
    env: dict[str, str],
    suite: dict[str, Any],
    throughput: dict[str, Any],
    load: dict[str, Any] | None = None,
) -> str:
    """Return the Markdown report."""
    from reliability import proofs

    suite_rows = [
        [
            f"`{path}`",
            str(r["tests"]),
            "all passed"
            if not r["failed"]
            else f"**{r['failed']} failed**: {', '.join(r['failures'])}",
            f"{r['seconds']:.1f}",
        ]
        for path, r in sorted(suite.items())
    ]
    runs = throughput["runs"]
    head_rows = [
        [
            str(r["writers"]),
            f"{r['commands']:,}",
            f"{r['per_s']:,.0f}",
            f"{r['latency_p50_ms']:.1f} / {r['latency_p95_ms']:.1f}",
            f"{r['hold_p50_ms']:.2f} / {r['hold_p95_ms']:.2f}",
            f"{r['ceiling_per_s']:,.0f}",
            f"{r['head_busy']:.0%}",
            str(r["errors"]),
        ]
        for r in runs
    ]
    single = runs[0]
    best = max(runs, key=lambda r: r["per_s"])
    busiest = max(runs, key=lambda r: r["head_busy"])
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""# Reliability

Written by `{COMMAND}` ({when}); every figure below comes from that run. The suite runs
on PostgreSQL and Redis; its fast parts (the same tests with a small example budget)
run inside `make test`. How to run the registry in production: [DEPLOY.md](DEPLOY.md).

## Machine

{_machine(env, throughput)}

## The reliability suite

`{COMMAND}` runs `pytest {" ".join(SUITE)}` with `HYPOTHESIS_PROFILE=reliability`:

{table(["tests", "cases", "result", "seconds"], suite_rows)}

What each part shows:

- `test_database_roles.py`: the application's role (set up from `manage.py database_roles`)
  appends, projects and rebuilds through the store, and cannot UPDATE, DELETE or TRUNCATE
  the log, disable or drop its triggers, set `session_replication_role`, delete, rewind or
  re-hash the head, insert an event that skips a position or breaks the chain, leave an
  event the head does not name, fake a migration or create a table; `migrate` runs as the
  owner and re-grants every table.
- `test_backup_restore.py`: `export_events`, then into an empty database `migrate`,
  `import_events`, `rebuild_projections`, `verify_ledger --checkpoint` with the head
  recorded at backup time; the read models come back equal and the idempotency keys work.
- `test_domain_properties.py`, `test_ledger_properties.py`, `test_schema.py`,
  `test_load_seeds.py`, `test_import_refusals.py`, `test_transfer.py`: bad input tried
  (below: properties, schemathesis, broken seeds and imports).
- `test_isolation_fuzz.py`, `test_permissions.py`, `test_tokens.py`,
  `test_token_secrecy.py`, `test_access.py`, `test_security_logs.py`,
  `test_transport_security.py`, `test_csrf.py`, `test_contacts.py`: security (below).
- `test_health.py`, `test_request_context.py`, `test_deploy.py`, `test_production_web.py`,
  `test_content_security_policy.py`: probes, request ids from the web through a real
  worker into events and JSON logs, `check --deploy` and a secret scan, a real gunicorn as
  `Procfile.prod` starts it, the admin in Chromium under the policy;
  `test_database_roles_command.py`: the printed grants, odd names refused.
- `test_cache_outage.py`, `test_redis_outage.py`, `test_database_faults.py`,
  `test_ledger_stall.py`, `test_mail_faults.py`: the fault scenarios (below); the mail
  ones with real Celery workers (and beat), a Redis server of the test's own as broker
  and a real SMTP server (aiosmtpd), every Message-ID received checked against the
  dispatch log.
- What an adversarial review broke (issue 17), each now a test: `test_supervision.py`
  (`make serve` under supervisord, a worker killed under it; the systemd units),
  `test_old_data.py` and `test_at_least_once.py` (a mail scan never dies of one mail;
  the one case of a duplicate), `test_export_formulas.py` and `test_old_data_pages.py`
  (exports that cannot run code; pages, ICS and mail that neutralise old data),
  `test_plaintext.py` and `test_dates.py` (the text rules and plausible dates in the
  domain), `test_chain_guard.py` with `test_database_roles.py` (the database guards the
  chain, also against the application's role), `test_strict_input.py` and
  `test_throttle_concurrency.py` (strict API input; atomic rate limits), and
  `test_deploy_backup.py` (DEPLOY.md's backup and restore run word for word).

## Faults survived

Each scenario is an automated test with pass or fail; the figures are from this run.

{_faults(suite)}

## The ceiling the ledger head puts on writes

Every append holds the single ledger-head row from just before its insert until its
commit returns, so all writes to the registry pass through it one at a time. W writer
processes, each on its own connection, registered organisations through
the application layer's `handle` on distinct streams (the head is the only thing they share) for
{single["seconds"]:g} s each (`python -m reliability.ledger_head`, part of `{COMMAND}`):

{table(HEAD_COLUMNS, head_rows)}

"Head held" runs from `recorded_at` (the database clock, read just after the head is
taken) to the moment the writer's commit returned: insert, head update, commit and its
WAL flush. "Head busy" is the share of the run's length covered by at least one of those
holds (their union: each overlaps the next by its commit's return trip): near 100%, the
head is what limits the throughput. Reading:

- One writer alone held the head {single["hold_p50_ms"]:.2f} ms per append (median): that
  is the ceiling the lock itself puts on the whole registry, about
  **{single["ceiling_per_s"]:,.0f} appends per second** on this machine, however many web
  processes and workers write. Nothing else serialises writes to different streams.
- Measured, the best was {best["per_s"]:,.0f} commands/s ({_writers(best["writers"])}). With
  {_writers(busiest["writers"])} the head was busy {busiest["head_busy"]:.0%} of the time and
  each append held it {busiest["hold_p50_ms"]:.2f} ms: on two cores shared with the
  database and other work, the holder also waits for the CPU, so the practical ceiling
  here is about {busiest["ceiling_per_s"]:,.0f}/s. More writers then only queue.
- What raises the ceiling: a faster WAL device (the commit's flush is inside the lock
  window), fewer round trips inside the window, several events per append (one lock per
  command, not per event). What does not: more web or worker processes, read replicas.
  A national registry of tens of thousands of projects, each changed a few times a
  month, averages well under one command per second; the ceiling matters for bulk loads,
  which should append several events per command (`import_events` inserts in batches
  and does not take the head per event).

{proofs.bad_input(suite, COMMAND)}
{proofs.security(suite, COMMAND)}
{_load_held(load)}"""


def main() -> int:
    """Run everything and write docs/RELIABILITY.md; exit 1 if a test failed."""
    env = _environment()
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CELERY_BROKER_URL")})
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch) / "junit.xml"
        code, suite = run_suite(env, junit)
        figures = Path(scratch) / "ledger_head.json"
        admin = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/postgres"))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "reliability.ledger_head",
                "--admin-url",
                admin,
                "--out",
                str(figures),
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        throughput = json.loads(figures.read_text())
        load_code, load = run_load(env, Path(scratch) / "load.json")
    REPORT.write_text(render(env, suite, throughput, load))
    _say(f"reliability: wrote {REPORT.relative_to(BASE_DIR)}")
    if code != 0 or load_code != 0:
        _say("reliability: FAILED (see the report and the output above)")
    return 0 if code == 0 and load_code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
