"""The domain workload through handle, Django + simple-history and eventsourcing.

Each contender runs ``bench.workload.script(i)`` for the same projects: register a
project, add three parties, schedule five milestones, then ten changes; one
transaction per command, each timed on its own. The contenders take turns, a project
at a time. A separate pass counts the statements each Django contender sends.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from bench.common import bar, latency_row, say, table

TITLE = "Domain workload: a project's life, command by command"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"projects": 2}
REGISTRY = "registry handle"


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--projects", type=int, default=60, help="projects per contender")


def _es_execute(app: Any, command: Any) -> None:
    from bench.es_app import EsProject
    from projects import domain as d

    if isinstance(command, d.RegisterProject):
        c: Any = command
        project = EsProject(
            code=c.project_code,
            agreement_code=c.agreement_code,
            title=c.titles.en,
            sector=c.sector.value,
            start=c.planned_start.isoformat(),
            end=c.planned_end.isoformat(),
        )
        app.save(project)
        return
    project = app.repository.get(EsProject.create_id(command.project_code))
    match command:
        case d.AddParty(organisation_id=org, roles=roles):
            project.add_party(org, [r.value for r in roles])
        case d.ChangePartyRoles(organisation_id=org, roles=roles):
            project.change_roles(org, [r.value for r in roles])
        case d.ScheduleMilestone() as c:
            project.schedule(
                c.milestone_id, c.title.en, c.due_date.isoformat(), c.responsible_party
            )
        case d.SetProjectBudget(budget=budget, reason=reason):
            project.set_budget(str(budget.amount), budget.currency.value, reason)
        case d.ChangeProjectStatus() as c:
            project.change_status(c.status.value, c.effective_on.isoformat(), c.reason)
        case d.CorrectProjectDetails() as c:
            project.correct_title(c.titles.en if c.titles else project.title, c.reason)
        case d.RescheduleMilestone() as c:
            project.reschedule(c.milestone_id, c.new_due_date.isoformat(), c.reason)
        case d.ClaimMilestone() as c:
            project.claim(
                c.milestone_id, c.claimant, c.claimed_status.value, c.claimed_date.isoformat()
            )
        case d.ConfirmMilestoneClaim(milestone_id=milestone_id):
            project.settle_claim(milestone_id, confirm=True)
        case d.ReturnMilestoneClaim(milestone_id=milestone_id):
            project.settle_claim(milestone_id, confirm=False)
        case d.CancelMilestone(milestone_id=milestone_id, reason=reason):
            project.cancel(milestone_id, reason)
        case _:
            raise TypeError(f"the eventsourcing contender does not run {type(command).__name__}")
    app.save(project)


def contenders() -> dict[str, Callable[[Any], Any]]:
    """Return each contender's way of running one workload command."""
    from bench import history, workload
    from bench.es_app import EsBench
    from projects.application import handle

    app = EsBench(env=json.loads(os.environ["BENCH_ES_ENV"]))

    def registry(command: Any) -> Any:
        return handle(command, actor=workload.ACTOR, today=workload.TODAY)

    simple_history = f"Django + simple-history {metadata.version('django-simple-history')}"
    return {
        REGISTRY: registry,
        f"{simple_history} (typical: the changed row and its history row)": history.execute,
        f"{simple_history}, project row locked and versioned": history.execute_versioned,
        f"eventsourcing {metadata.version('eventsourcing')}": lambda c: _es_execute(app, c),
    }


def setup() -> None:
    """Register the benchmark organisations and agreement in the registry."""
    from bench import workload
    from projects.application import handle

    for command in workload.founders():
        handle(command, actor=workload.ACTOR, today=workload.TODAY)


def _statements(run: Callable[[Any], Any], commands: list[Any]) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for command in commands:
            run(command)
    return len(captured.captured_queries) / len(commands)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the workload for ``--projects`` projects per contender, a project per turn."""
    from bench import workload

    setup()
    runs = contenders()
    times: dict[str, list[float]] = {name: [] for name in runs}
    per_project: dict[str, list[float]] = {name: [] for name in runs}
    with bar(args.projects * len(runs), "domain workload, projects") as progress:
        for i in range(args.projects):
            commands = workload.script(i)
            for name, run in runs.items():
                spent = []
                for command in commands:
                    started = time.perf_counter()
                    run(command)
                    spent.append(time.perf_counter() - started)
                times[name] += spent
                per_project[name].append(sum(spent))
                progress.update()
    counted = workload.script(args.projects)
    # eventsourcing talks to the database on a connection of its own: not counted.
    statements = {
        name: _statements(run, counted)
        for name, run in runs.items()
        if not name.startswith("eventsourcing")
    }
    rows = []
    for name in runs:
        row = latency_row(
            name,
            times[name],
            per_project_ms=statistics.median(per_project[name]) * 1000,
            statements=statements.get(name),
        )
        say(f"  {name}: p50 {row['p50_ms']:.2f} ms, {row['per_s']:.0f} commands/s")
        rows.append(row)
    return {"domain": rows, "commands_per_project": len(counted)}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the domain workload table."""
    rows = []
    for backend, figures in results.items():
        base = next(r for r in figures["domain"] if r["contender"] == REGISTRY)
        for r in figures["domain"]:
            statements = r["statements"]
            rows.append(
                [
                    backend,
                    r["contender"],
                    str(r["count"]),
                    f"{r['per_s']:,.0f}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    f"{r['per_project_ms']:.1f}",
                    f"{statements:.1f}" if statements is not None else "own connection",
                    f"{r['p50_ms'] / base['p50_ms']:.2f}x",
                ]
            )
    headers = [
        "backend",
        "contender",
        "commands",
        "commands/s",
        "p50 ms",
        "p95 ms",
        "project (19 commands) ms",
        "statements per command",
        "p50 vs registry",
    ]
    return table(headers, rows, right={2, 3, 4, 5, 6, 7, 8})
