"""The anchors' shape of work: register a project, then ten milestone reschedules.

The shape the libraries and teams the registry is compared with measure themselves by:
each project is registered (with the party and the milestone a reschedule needs, set up
untimed), then its milestone is moved ten times, each move a transaction of its own. The
contenders, in turns, a project at a time, over several rounds:

- the raw driver (psycopg, or sqlite3), one INSERT per change in autocommit: the floor;
- ``eventsourcing``: its aggregate loaded from its events, the change saved as one event;
- Django + simple-history, typical: the milestone row updated and one history row;
- Django + simple-history with the project row locked and versioned on every change;
- the registry's ``handle``, the stream's state kept by this process (a warm worker);
- the registry's ``handle``, cold: another process served the stream last, so the state
  is loaded from its snapshot and the events since.

"ms per change" is the median of the ten reschedules; each round gives one median per
contender, and the table shows the median of the rounds with their range.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from bench.common import bar, say, table

TITLE = "The anchors' shape of work: register a project, then 10 reschedules"
SMOKE = {"anchor_projects": 3, "anchor_rounds": 2}
MOVES = 10
CACHED = "registry handle, state kept in the process"
COLD = "registry handle, cold (another process served the stream last)"
RAW = "raw driver (psycopg or sqlite3), one INSERT"

Setup = Callable[[str], None]
Move = Callable[[str, int], None]


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--anchor-projects", type=int, default=200, help="projects per round")
    parser.add_argument("--anchor-rounds", type=int, default=3, help="interleaved rounds")


def _due(move: int) -> dt.date:
    return dt.date(2026, 1, 1) + dt.timedelta(days=7 * (move + 1))


def _registry(*, cold: bool) -> tuple[Setup, Move]:
    from bench import workload
    from projects.application import handle
    from projects.domain import (
        AddParty,
        MilestoneType,
        RegisterProject,
        RescheduleMilestone,
        ScheduleMilestone,
        Sector,
    )
    from projects.domain.values import PartyRole
    from registry import statecache

    def run(command: Any) -> None:
        handle(command, actor=workload.ACTOR, today=workload.TODAY)

    def setup(code: str) -> None:
        text = workload.text
        run(
            RegisterProject(
                code,
                workload.AGREEMENT,
                text(code),
                Sector.ARTIFICIAL_INTELLIGENCE,
                workload.START,
                workload.END,
            )
        )
        run(AddParty(code, "deepseek", (PartyRole.LEAD,)))
        run(
            ScheduleMilestone(
                code, "M1", text("Model"), MilestoneType.DELIVERY, _due(-1), "deepseek"
            )
        )

    def move(code: str, n: int) -> None:
        if cold:
            statecache.clear()
        run(RescheduleMilestone(code, "M1", _due(n), f"Moved ({n})"))

    return setup, move


def _simple_history(*, versioned: bool) -> tuple[Setup, Move]:
    from bench import history, workload
    from projects.domain import (
        AddParty,
        MilestoneType,
        RegisterProject,
        RescheduleMilestone,
        ScheduleMilestone,
        Sector,
    )
    from projects.domain.values import PartyRole

    run = history.execute_versioned if versioned else history.execute

    def setup(code: str) -> None:
        text = workload.text
        run(
            RegisterProject(
                code,
                workload.AGREEMENT,
                text(code),
                Sector.ARTIFICIAL_INTELLIGENCE,
                workload.START,
                workload.END,
            )
        )
        run(AddParty(code, "deepseek", (PartyRole.LEAD,)))
        run(
            ScheduleMilestone(
                code, "M1", text("Model"), MilestoneType.DELIVERY, _due(-1), "deepseek"
            )
        )

    def move(code: str, n: int) -> None:
        run(RescheduleMilestone(code, "M1", _due(n), f"Moved ({n})"))

    return setup, move


def _eventsourcing() -> tuple[Setup, Move]:
    from bench.es_app import EsBench, EsProject

    app = EsBench(env=json.loads(os.environ["BENCH_ES_ENV"]))

    def setup(code: str) -> None:
        project = EsProject(
            code=code,
            agreement_code="HKZJ-BENCH-MECH",
            title=code,
            sector="ai",
            start="2025-05-01",
            end="2028-12-31",
        )
        project.add_party("deepseek", ["lead"])
        project.schedule("M1", "Model", _due(-1).isoformat(), "deepseek")
        app.save(project)

    def move(code: str, n: int) -> None:
        project: EsProject = app.repository.get(EsProject.create_id(code))
        project.reschedule("M1", _due(n).isoformat(), f"Moved ({n})")
        app.save(project)

    return setup, move


def _raw() -> tuple[Setup, Move]:
    """One INSERT per change on a connection of its own, in autocommit: the floor."""
    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        import sqlite3

        db = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        db.execute(
            "CREATE TABLE IF NOT EXISTS bench_anchor_change "
            "(project TEXT, milestone TEXT, due DATE, reason TEXT)"
        )

        def move_sqlite(code: str, n: int) -> None:
            db.execute(
                "INSERT INTO bench_anchor_change VALUES (?, ?, ?, ?)",
                (code, "M1", _due(n).isoformat(), f"Moved ({n})"),
            )

        return (lambda code: None), move_sqlite
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    raw = psycopg.connect(**params, autocommit=True)
    raw.execute(
        "CREATE TABLE IF NOT EXISTS bench_anchor_change "
        "(project text, milestone text, due date, reason text)"
    )

    def move(code: str, n: int) -> None:
        raw.execute(
            "INSERT INTO bench_anchor_change VALUES (%s, %s, %s, %s)",
            (code, "M1", _due(n), f"Moved ({n})"),
        )

    return (lambda code: None), move


def _contenders() -> dict[str, tuple[Setup, Move]]:
    simple_history = f"Django + simple-history {metadata.version('django-simple-history')}"
    return {
        RAW: _raw(),
        f"eventsourcing {metadata.version('eventsourcing')}": _eventsourcing(),
        f"{simple_history} (typical)": _simple_history(versioned=False),
        f"{simple_history}, project row locked and versioned": _simple_history(versioned=True),
        CACHED: _registry(cold=False),
        COLD: _registry(cold=True),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the rounds; return each contender's median ms per change in each round."""
    from bench import workload
    from projects.application import handle

    for command in workload.founders():
        handle(command, actor=workload.ACTOR, today=workload.TODAY)
    contenders = _contenders()
    rounds: dict[str, list[float]] = {name: [] for name in contenders}
    total = args.anchor_rounds * args.anchor_projects * len(contenders)
    with bar(total, "anchors' shape, projects") as progress:
        for r in range(args.anchor_rounds):
            times: dict[str, list[float]] = {name: [] for name in contenders}
            for i in range(args.anchor_projects):
                for k, (name, (setup, move)) in enumerate(contenders.items()):
                    code = f"ANCHOR-{k}-{r}-{i:05d}"
                    setup(code)
                    for n in range(MOVES):
                        started = time.perf_counter()
                        move(code, n)
                        times[name].append(time.perf_counter() - started)
                    progress.update()
            for name, spent in times.items():
                rounds[name].append(statistics.median(spent) * 1000)
            say(f"  round {r + 1}: " + ", ".join(f"{n} {rounds[n][-1]:.2f} ms" for n in rounds))
    return {"rounds": rounds, "projects": args.anchor_projects}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return ms per change by contender, with how the registry compares to each."""
    rows = []
    for backend, figures in results.items():
        medians = {name: statistics.median(r) for name, r in figures["rounds"].items()}
        cached, cold = medians[CACHED], medians[COLD]
        for name, rounds in figures["rounds"].items():
            rows.append(
                [
                    backend,
                    name,
                    f"{medians[name]:.3f} ({min(rounds):.3f}–{max(rounds):.3f})",
                    f"{cached / medians[name]:.2f}x",
                    f"{cold / medians[name]:.2f}x",
                ]
            )
    headers = [
        "backend",
        "contender",
        "ms per change: median of rounds (range)",
        "registry cached vs it",
        "registry cold vs it",
    ]
    return table(headers, rows, right={2, 3, 4})
