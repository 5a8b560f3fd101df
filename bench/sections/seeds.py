"""The management commands on the Hong Kong–Zhejiang data set."""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import say, table

TITLE = "The founding data set (hk_zj_2025)"


def options(parser: argparse.ArgumentParser) -> None:
    """This section has no options."""


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time load_seeds, a second load, rebuild, verify and export."""
    from django.core.management import call_command

    from registry.models import StoredEvent
    from seeds import loader

    commands = len(loader.read_dataset())
    rows: list[dict[str, Any]] = []

    def run(label: str, unit: str, items: Callable[[], int], *command: str) -> None:
        say(f"  {label} ...")
        started = time.perf_counter()
        call_command(*command, stdout=io.StringIO())
        seconds = time.perf_counter() - started
        count = items()
        rows.append(
            {
                "step": label,
                "items": count,
                "unit": unit,
                "seconds": seconds,
                "per_s": count / seconds,
            }
        )
        say(f"  {label}: {count} {unit}s in {seconds:.2f} s ({count / seconds:.0f}/s)")

    def events() -> int:
        return StoredEvent.objects.count()

    run("load_seeds", "command", lambda: commands, "load_seeds")
    run("load_seeds again (nothing to append)", "command", lambda: commands, "load_seeds")
    run("rebuild_projections", "event", events, "rebuild_projections")
    run("verify_ledger --no-drift (chain only)", "event", events, "verify_ledger", "--no-drift")
    run("verify_ledger (chain and drift)", "event", events, "verify_ledger")
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "events.jsonl"
        run("export_events", "event", events, "export_events", str(export))
        size = export.stat().st_size
    return {"seeds": rows, "seed_events": events(), "export_bytes": size}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the seed table and the size of the export."""
    rows = [
        [
            backend,
            r["step"],
            f"{r['items']:,} {r['unit']}s",
            f"{r['seconds']:.2f}",
            f"{r['per_s']:,.0f} {r['unit']}s/s",
        ]
        for backend, figures in results.items()
        for r in figures["seeds"]
    ]
    lines = [table(["backend", "step", "items", "seconds", "rate"], rows, right={2, 3, 4})]
    for backend, figures in results.items():
        lines.append(
            f"{backend}: {figures['seed_events']:,} events; export file "
            f"{figures['export_bytes'] / 1024:,.0f} KiB"
        )
    return "\n\n".join(lines)
