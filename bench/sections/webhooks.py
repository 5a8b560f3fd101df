"""Webhook fan-out: 1,000 events to 50 webhooks on a local receiver, and what an append pays.

Set-up (not timed): the founders, one project with all six organisations as parties, and
``--webhook-count`` webhooks spread over the six (at most ten each), all pointing at one
receiver on 127.0.0.1 (``testkit.receiver``, a thread of this process) that answers 204.

Timed:

1. **the append**: ``--webhook-events`` project commands through ``handle``, taking turns
   by blocks between "webhooks paused" (every webhook disabled: the after-commit listener
   wakes the publisher thread, which finds none active and queues nothing) and "webhooks
   active" (the publisher queues the delivery task on the broker). Pausing and resuming
   between blocks (a command per webhook) is not timed. The difference of the p50s is
   what configuring webhooks adds to a command (the goal: under 5%, since delivery
   happens after commit);
2. **the fan-out**: one delivery scan (``projects.webhooks.scan``) sends every event to
   every webhook (events x webhooks deliveries, each signed, POSTed to the receiver, its
   attempt recorded): deliveries per second, in one worker process;
3. the same scan again: everything was delivered, nothing is sent.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import bar, latency_row, say, table

TITLE = "Webhook fan-out (1,000 events to 50 webhooks on a local receiver)"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"webhook_events": 20, "webhook_count": 3, "webhook_block": 5}
# Receivers on 127.0.0.1 over plain HTTP, as `make run` allows.
ENV = {"WEBHOOK_ALLOW_PRIVATE": "1"}
PAUSED = "webhooks paused (none active)"
ACTIVE = "webhooks active (scan queued after commit)"


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--webhook-events", type=int, default=1000, help="events fanned out")
    parser.add_argument("--webhook-count", type=int, default=50, help="webhooks")
    parser.add_argument("--webhook-block", type=int, default=50, help="appends per turn")


def _setup(count: int, url: str) -> list[tuple[str, str]]:
    """Record the founders, the project and ``count`` webhooks; return (id, organisation)s."""
    from bench import workload
    from projects.application import handle, parse
    from projects.application.webhooks import new_webhook_id, webhook_register
    from projects.domain import AddParty, ChangePartyRoles, PartyRole
    from projects.domain.webhook import RegisterWebhook

    for command in [*workload.founders(), *workload.script(0)]:
        handle(command, actor=workload.ACTOR, today=workload.TODAY)
    # The script leaves its partner with two roles; ``changes`` begins by giving it both.
    partner = workload.parties(0)[2]
    handle(
        ChangePartyRoles(workload.code(0), partner, (PartyRole.PARTNER,)),
        actor=workload.ACTOR,
        today=workload.TODAY,
    )
    present = set(workload.parties(0))
    for organisation in workload.ORGANISATIONS:
        if organisation not in present:
            party = AddParty(workload.code(0), organisation, (PartyRole.PARTNER,))
            handle(party, actor=workload.ACTOR, today=workload.TODAY)
    hooks = []
    for n in range(count):
        organisation = workload.ORGANISATIONS[n % len(workload.ORGANISATIONS)]
        command = parse(
            RegisterWebhook,
            {"url": f"{url}/{n}", "description": f"bench {n}"},
            fixed={"webhook_id": new_webhook_id(), "organisation_id": organisation},
        )
        webhook_register(command, actor=workload.ACTOR)
        hooks.append((command.webhook_id, organisation))
    return hooks


def _switch(hooks: list[tuple[str, str]], *, active: bool) -> None:
    """Pause or resume every webhook (commands, not timed); leave alone those already so."""
    from bench import workload
    from projects import selectors
    from projects.application.webhooks import webhook_disable, webhook_enable
    from projects.domain.webhook import EnableWebhook

    if selectors.webhooks_exist() is active:
        return
    for webhook_id, organisation in hooks:
        if active:
            webhook_enable(EnableWebhook(webhook_id, organisation), actor=workload.ACTOR)
        else:
            webhook_disable(webhook_id, reason="bench: paused", actor=workload.ACTOR)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, time appends with and without active webhooks, then the fan-out."""
    from bench import workload
    from projects.application import handle
    from projects.webhooks import scan
    from projects.webhooks.models import Delivery, State
    from testkit.receiver import Receiver

    with Receiver(204, record=False) as receiver:
        say(f"webhooks: {args.webhook_count} webhooks, {args.webhook_events} events")
        hooks = _setup(args.webhook_count, receiver.url("/hook"))
        commands = workload.changes(0, args.webhook_events)
        block = args.webhook_block
        half = args.webhook_events // 2
        latencies: dict[str, list[float]] = {PAUSED: [], ACTIVE: []}
        with bar(2 * half, "appends, webhooks paused and active by turns") as progress:
            for first in range(0, half, block):
                for name, active in ((PAUSED, False), (ACTIVE, True)):
                    _switch(hooks, active=active)
                    for _ in range(min(block, half - first)):
                        t0 = time.perf_counter()
                        handle(next(commands), actor=workload.ACTOR, today=workload.TODAY)
                        latencies[name].append(time.perf_counter() - t0)
                        progress.update(1)
        events = 2 * half
        started = time.perf_counter()
        first_scan = scan.send_webhooks()
        fan_out = time.perf_counter() - started
        started = time.perf_counter()
        second_scan = scan.send_webhooks()
        again = time.perf_counter() - started
        received = receiver.count
    delivered = Delivery.objects.filter(state=State.DELIVERED).count()
    return {
        "webhooks": len(hooks),
        "events": events,
        "appends": [latency_row(name, times) for name, times in latencies.items()],
        "deliveries": first_scan.sent,
        "delivered_recorded": delivered,
        "received": received,
        "failed": first_scan.failed,
        "fan_out_seconds": fan_out,
        "second_scan_sent": second_scan.sent,
        "second_scan_seconds": again,
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the append table (with the added cost) and the fan-out's rate."""
    appends, fan = [], []
    for backend, f in results.items():
        rows = {r["contender"]: r for r in f["appends"]}
        base = rows[PAUSED]["p50_ms"]
        for name, r in rows.items():
            added = (r["p50_ms"] - base) / base * 100 if base else 0.0
            appends.append(
                [
                    backend,
                    name,
                    f"{r['count']:,}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    "" if name == PAUSED else f"{added:+.1f}%",
                ]
            )
        rate = f["deliveries"] / f["fan_out_seconds"] if f["fan_out_seconds"] else 0.0
        fan.append(
            [
                backend,
                f"{f['events']:,} x {f['webhooks']}",
                f"{f['deliveries']:,}",
                f"{f['received']:,}",
                f"{f['fan_out_seconds']:.1f}",
                f"{rate:,.0f}",
                f"{f['second_scan_sent']} in {f['second_scan_seconds']:.2f} s",
            ]
        )
    return "\n\n".join(
        [
            "A project command through `handle`, with every webhook paused vs active "
            "(after each commit the listener wakes a publisher thread, which queues the "
            "delivery task when a webhook is active):",
            table(
                ["backend", "append", "n", "p50 ms", "p95 ms", "added (p50)"],
                appends,
                right={2, 3, 4, 5},
            ),
            "One delivery scan in one process, to a receiver on 127.0.0.1 (a thread of the "
            "same process), each delivery signed, POSTed and recorded:",
            table(
                [
                    "backend",
                    "events x webhooks",
                    "delivered",
                    "received",
                    "seconds",
                    "deliveries/s",
                    "second scan",
                ],
                fan,
                right={2, 3, 4, 5},
            ),
        ]
    )
