"""``make bench``: the partners' API on 5,000 projects, beside a trivial DRF view.

Run by ``bench.run`` (or alone: ``python -m bench.api``). For each backend it starts a
worker process (``python -m bench.api --worker``) on a fresh database (a SQLite file in
a temporary folder, or ``registry_bench_api`` on PostgreSQL, created and dropped
here), which fills the registry with 5,000 projects (each with three parties
and four milestones) through ``registry.store.append`` with the projectors running, and
then times requests through Django's full stack (middleware, authentication, throttle,
view, JSON) with the test client: p50/p95 latency and queries per request. The trivial
views answer a constant: once with no authentication at all, once behind the same token
authentication and throttle as the API. Progress on standard error, a Markdown section
on standard output.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECTS = 5_000
PARTNER_PROJECTS = 50
REQUESTS = 300
# A database of its own: bench.run's workers use registry_bench.
API_BENCH_DB = "registry_bench_api"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the worker: data, views, timings (Django is set up only here) ---------------------


def _fill(projects: int) -> tuple[str, str, int]:
    """Register organisations and an agreement, then ``projects`` projects; return tokens."""
    from django.contrib.auth.models import Permission, User
    from django.db import connection, transaction
    from tqdm import tqdm

    from projects.api import tokens
    from projects.application import Actor, handle, unit_of_work
    from projects.domain import (
        LocalisedText,
        MilestoneType,
        OrganisationType,
        Period,
        RegisterOrganisation,
        Sector,
        SignAgreement,
        Signatory,
    )
    from projects.domain import project_events as pe
    from projects.domain.access import HolderKind
    from projects.domain.values import PartyRole
    from registry import store
    from registry.events import Metadata

    seed = Metadata(actor_kind="seed", source="seed")
    today = dt.date(2025, 9, 1)

    def text(en: str) -> LocalisedText:
        return LocalisedText(en, f"{en}（繁）", f"{en}（简）")

    organisations = [f"org-{n:02d}" for n in range(40)] + ["bench-partner"]
    with unit_of_work():
        for org in organisations:
            handle(
                RegisterOrganisation(org, text(org), OrganisationType.PRIVATE_SECTOR, "HK"),
                actor=Actor.of(seed),
                today=today,
            )
        handle(
            SignAgreement(
                "BENCH-AGREEMENT",
                text("Bench agreement"),
                dt.date(2025, 4, 1),
                text("Hangzhou"),
                (
                    Signatory("org-00", text("A"), text("B")),
                    Signatory("org-01", text("C"), text("D")),
                ),
                Period(dt.date(2025, 4, 1), dt.date(2030, 3, 31)),
            ),
            actor=Actor.of(seed),
            today=today,
        )
    sectors = list(Sector)
    step = projects // PARTNER_PROJECTS
    with tqdm(total=projects, desc="projects", file=sys.stderr, mininterval=1.0) as bar:
        for n in range(projects):
            code = f"BENCH-{n:05d}"
            lead, other = organisations[n % 40], organisations[(n + 7) % 40]
            third = "bench-partner" if n % step == 0 else organisations[(n + 13) % 40]
            events = [
                pe.ProjectRegistered(
                    code,
                    "BENCH-AGREEMENT",
                    text(f"Project {n}"),
                    text(f"What project {n} does."),
                    sectors[n % len(sectors)],
                    dt.date(2025, 5, 1),
                    dt.date(2027, 12, 31),
                ),
                pe.PartyAdded(lead, (PartyRole.LEAD, PartyRole.FUNDING)),
                pe.PartyAdded(other, (PartyRole.IMPLEMENTING,)),
                pe.PartyAdded(third, (PartyRole.PARTNER,)),
                *(
                    pe.MilestoneScheduled(
                        f"M{m}",
                        text(f"Milestone {m}"),
                        MilestoneType.DELIVERY,
                        dt.date(2025, 6, 1) + dt.timedelta(days=90 * m + n % 60),
                        (lead, other, third)[m % 3],
                    )
                    for m in range(1, 5)
                ),
            ]
            with transaction.atomic():
                store.append("project", code, events, expected_version=0, metadata=seed)
            bar.update()
    officer = User.objects.create_user("bench-officer", is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="view_project"))
    cli = Metadata(actor_kind="system", source="cli", actor_id="bench")
    partner = tokens.issue(
        holder_kind=HolderKind.ORGANISATION,
        holder_id="bench-partner",
        name="b",
        actor=Actor.of(cli),
    )
    staff = tokens.issue(
        holder_kind=HolderKind.STAFF, holder_id=str(officer.pk), name="s", actor=Actor.of(cli)
    )
    position = store.head()[0]
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather
        cursor.execute("ANALYZE")
    return partner.token, staff.token, position


def _constant_views() -> list[Any]:
    """Return URL patterns of two trivial DRF views answering a constant."""
    from django.urls import path
    from rest_framework.permissions import AllowAny
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from projects.api.authentication import BearerTokenAuthentication
    from projects.api.permissions import IsCaller
    from projects.api.throttling import TokenRateThrottle

    class Constant(APIView):
        authentication_classes: list[Any] = []
        permission_classes = [AllowAny]
        throttle_classes: list[Any] = []

        def get(self, request: Request) -> Response:
            return Response({"hello": "world"})

    class AuthenticatedConstant(Constant):
        authentication_classes = [BearerTokenAuthentication]
        permission_classes = [IsCaller]
        throttle_classes = [TokenRateThrottle]

    return [
        path("bench/constant/", Constant.as_view()),
        path("bench/constant-authenticated/", AuthenticatedConstant.as_view()),
    ]


def _time_all(client: Any, cases: list[tuple[str, str, str | None]], n: int) -> list[Any]:
    """Return p50/p95 ms and queries per request of ``n`` GETs of each case.

    The cases take turns, ten requests at a time, so that other work on a shared
    machine weighs on every case alike.
    """
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The test client keeps the connection open (as CONN_MAX_AGE would); keep the
    # query log across requests too, so queries can be counted.
    request_started.disconnect(reset_queries)
    headers = {
        label: {"Authorization": f"Bearer {token}"} if token else {} for label, _, token in cases
    }
    figures: dict[str, dict[str, Any]] = {}
    for label, url, _ in cases:
        for _ in range(10):  # warm up: caches, the token's last use, the query plans
            response = client.get(url, headers=headers[label], secure=True)
            assert response.status_code == 200, (url, response.status_code, response.content)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers=headers[label], secure=True)
        figures[label] = {"queries": len(queries), "bytes": len(response.content), "times": []}
    for _ in range(0, n, 10):
        for label, url, _ in cases:
            for _ in range(10):
                started = time.perf_counter()
                client.get(url, headers=headers[label], secure=True)
                figures[label]["times"].append((time.perf_counter() - started) * 1000)
    rows = []
    for label, _, _ in cases:
        times = sorted(figures[label].pop("times"))
        rows.append(
            {
                "case": label,
                "p50": times[len(times) // 2],
                "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
                **figures[label],
            }
        )
    return rows


def _feed_plan() -> str:
    """Return how the database reads the partner's first feed page: which index, which order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects import selectors

    with CaptureQueriesContext(connection) as captured:
        selectors.project_event_page(after=0, limit=50, organisation="bench-partner")
    sql = next(q["sql"] for q in captured if "registry_event" in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
            lines = [r[0].strip() for r in cursor.fetchall()]
            return " / ".join(line for line in lines if "Filter" not in line)
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " / ".join(r[-1] for r in cursor.fetchall())


def measure(projects: int, requests: int) -> dict[str, Any]:
    """Fill the throwaway database, time the endpoints; return the figures."""
    from django.test import Client
    from django.test.utils import override_settings

    started = time.perf_counter()
    partner, staff, events = _fill(projects)
    filled = time.perf_counter() - started
    _say(f"filled {projects} projects ({events} events) in {filled:.0f} s")
    urlconf = type(sys)("bench_api_urls")
    from config import urls

    urlconf.urlpatterns = [*_constant_views(), *urls.urlpatterns]  # type: ignore[attr-defined]
    sys.modules["bench_api_urls"] = urlconf
    step = projects // PARTNER_PROJECTS
    middle = f"/api/v1/projects/BENCH-{projects // 2 // step * step:05d}/"  # the partner's too
    cases = [
        ("trivial DRF view, no authentication", "/bench/constant/", None),
        ("trivial DRF view, token authentication", "/bench/constant-authenticated/", staff),
        (
            f"GET projects/?limit=50 (staff: {projects:,} visible)",
            "/api/v1/projects/?limit=50",
            staff,
        ),
        (
            f"GET projects/?limit=50 (partner: {PARTNER_PROJECTS} visible)",
            "/api/v1/projects/?limit=50",
            partner,
        ),
        ("GET projects/{code}/ (staff)", middle, staff),
        ("GET projects/{code}/ (partner)", middle, partner),
        (
            f"GET events/?limit=50 (partner: {PARTNER_PROJECTS * 7} of {events} visible)",
            "/api/v1/events/?limit=50",
            partner,
        ),
    ]
    with override_settings(ROOT_URLCONF="bench_api_urls", ALLOWED_HOSTS=["testserver"]):
        _say(f"timing {len(cases)} kinds of request, {requests} each, taking turns")
        load = os.getloadavg()[0]
        rows = _time_all(Client(), cases, requests)
    return {
        "projects": projects,
        "events": events,
        "rows": rows,
        "fill_seconds": filled,
        "load": [load, os.getloadavg()[0]],
        "feed_plan": _feed_plan(),
    }


# -- the report --------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]]) -> str:
    """Return the API figures as a Markdown table, with a note per backend."""
    notes: list[str] = []
    lines = [
        "| backend | request | p50 ms | p95 ms | p50 vs trivial | queries | bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, figures in results.items():
        trivial = figures["rows"][0]["p50"]
        notes.append(
            f"- {backend}: {figures['events']:,} events written in "
            f"{figures['fill_seconds']:.0f} s; load average {figures['load'][0]:.2f} before "
            f"timing, {figures['load'][1]:.2f} after; the partner's feed page is read as: "
            f"`{figures['feed_plan']}`"
        )
        for row in figures["rows"]:
            lines.append(
                f"| {backend} | {row['case']} | {row['p50']:.2f} | {row['p95']:.2f} | "
                f"{row['p50'] / trivial:.1f}x | {row['queries']} | {row['bytes']:,} |"
            )
    return "\n".join([*lines, "", *notes])
