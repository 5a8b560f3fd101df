"""Where reads go with a replica configured: the rule of ``registry.routing``, on any backend.

The replica's own answers (reachable, replayed how far) come from a stand-in here; the
PostgreSQL test with a real primary and replica is ``tests/config/test_replica_reads.py``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Model

from projects.api.models import ApiToken, ApiTokenUse
from projects.models import Contact, Milestone, Organisation, Project
from projects.notifications.models import Subscription
from projects.notifications.outbox import Dispatch
from registry import replica, routes
from registry.models import Checkpoint, IdempotencyRecord, LedgerHead, Snapshot, StoredEvent
from registry.routing import REPLICA, ReplicaRouter, replica_readable

PRIMARY = "default"


class Replica(replica.Status):
    """What the process knows of the replica, as the test says: usable, replayed how far."""

    def __init__(self, *, usable: bool = True, replayed: int = 100) -> None:
        super().__init__()
        self.up, self.position, self.asked = usable, replayed, 0

    def usable(self) -> bool:
        return self.up

    def has_replayed(self, position: int) -> bool:
        self.asked += 1
        return self.position >= position


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the settings name a replica (connections are not opened by these tests)."""
    monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})


@pytest.fixture
def route() -> Iterator[routes.Route]:
    """Serve the test under a fresh route (as a request or a task is)."""
    token = routes.enter()
    yield routes.current()  # type: ignore[misc]
    routes.leave(token)


@pytest.mark.parametrize(
    "model", [StoredEvent, LedgerHead, Snapshot, Project, Milestone, Organisation, Subscription]
)
def test_the_replica_serves_the_log_and_the_read_models(model: type[Model]) -> None:
    assert replica_readable(model)


@pytest.mark.parametrize(
    "model",
    [ApiToken, ApiTokenUse, User, Session, Dispatch, Contact, Checkpoint, IdempotencyRecord],
)
def test_identity_and_bookkeeping_stay_on_the_primary(model: type[Model]) -> None:
    assert not replica_readable(model)


def test_work_nobody_declared_read_only_reads_the_primary(route: routes.Route) -> None:
    router = ReplicaRouter(Replica())

    assert router.db_for_read(Project) == PRIMARY
    with routes.replica_reads():
        assert router.db_for_read(Project) == REPLICA
        assert router.db_for_read(ApiToken) == PRIMARY
    assert router.db_for_read(Project) == PRIMARY, "the declaration ends with its block"


def test_outside_any_route_everything_reads_the_primary() -> None:
    assert routes.current() is None
    assert ReplicaRouter(Replica()).db_for_read(StoredEvent) == PRIMARY


def test_a_route_that_chose_the_replica_stays_there_while_it_reads(route: routes.Route) -> None:
    status = Replica()
    router = ReplicaRouter(status)
    route.read_only = True

    assert router.db_for_read(LedgerHead) == REPLICA
    status.up = False  # a later probe would say otherwise: the head and its events agree
    assert router.db_for_read(StoredEvent) == REPLICA


def test_a_caller_whose_write_the_replica_lacks_reads_the_primary_throughout() -> None:
    status = Replica(replayed=100)
    router = ReplicaRouter(status)
    token = routes.enter(read_after=150, read_only=True)
    try:
        assert router.db_for_read(Project) == PRIMARY
        status.position = 200  # replayed meanwhile: the route does not go back in time
        assert router.db_for_read(StoredEvent) == PRIMARY
        assert status.asked == 1, "one question to the replica per route"
    finally:
        routes.leave(token)

    token = routes.enter(read_after=150, read_only=True)  # the caller's next request
    try:
        assert router.db_for_read(Project) == REPLICA
    finally:
        routes.leave(token)


def test_an_unusable_replica_sends_reads_to_the_primary(route: routes.Route) -> None:
    route.read_only = True

    assert ReplicaRouter(Replica(usable=False)).db_for_read(Project) == PRIMARY
    assert route.pinned


def test_a_write_pins_the_route_to_the_primary(configured: None, route: routes.Route) -> None:
    router = ReplicaRouter(Replica())
    route.read_only = True

    assert router.db_for_write(Session) == PRIMARY
    assert not route.wrote, "a session saved is not a write readers wait for"
    assert router.db_for_read(Project) == REPLICA
    assert router.db_for_write(Project) == PRIMARY
    assert route.wrote
    assert router.db_for_read(Project) == PRIMARY


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary(route: routes.Route) -> None:
    route.read_only = True
    with transaction.atomic():
        assert ReplicaRouter(Replica()).db_for_read(Project) == PRIMARY


@pytest.mark.django_db
def test_work_queued_inside_an_uncommitted_write_waits_for_no_position(
    configured: None, route: routes.Route
) -> None:
    routes.note_write()  # as an append does

    assert routes.follower_mark() == routes.NEVER


def test_a_follower_carries_on_the_position_its_caller_waits_for(configured: None) -> None:
    token = routes.enter(read_after=4242)
    try:
        assert routes.follower_mark() == 4242
    finally:
        routes.leave(token)


def test_without_a_replica_a_write_starts_no_route_and_queues_no_position() -> None:
    routes.note_write()

    assert routes.current() is None
    assert routes.follower_mark() is None


def test_outside_a_route_a_write_starts_one_that_reads_the_primary(configured: None) -> None:
    def write_then_look() -> routes.Route | None:
        routes.note_write()  # as a management command's append does
        return routes.current()

    started = contextvars.copy_context().run(write_then_look)

    assert started is not None
    assert started.wrote
    assert started.pinned
    assert routes.current() is None, "only in the context that wrote"


def test_declared_read_only_work_inside_an_unsafe_request_still_reads_the_primary() -> None:
    token = routes.enter(pinned=True)
    try:
        with routes.replica_reads():
            assert ReplicaRouter(Replica()).db_for_read(Project) == PRIMARY
    finally:
        routes.leave(token)


def test_migrations_never_run_on_the_replica() -> None:
    router = ReplicaRouter(Replica())

    assert router.allow_migrate(REPLICA, "registry") is False
    assert router.allow_migrate(PRIMARY, "registry") is None


@pytest.mark.parametrize(
    ("probe", "problem"),
    [
        (replica.Probe(standby=True, replayed=10, lag=0.2), None),
        (replica.Probe(error="OperationalError: refused"), "cannot be reached"),
        (replica.Probe(standby=False, replayed=-1), "is not a standby"),
        (replica.Probe(standby=True, replayed=10, lag=31.0), "lags 31.0 s"),
    ],
)
def test_a_replica_that_cannot_answer_is_no_standby_or_lags_too_far_is_not_read(
    probe: replica.Probe, problem: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "DATABASE_REPLICA_MAX_LAG", 30)
    if problem is None:
        assert probe.problem is None
    else:
        assert probe.problem is not None
        assert problem in probe.problem


def test_an_unreachable_replica_is_asked_again_only_after_a_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = [replica.Probe(error="OperationalError: refused")]
    monkeypatch.setattr(replica, "probe", lambda: answers[0])
    status = replica.Status()

    assert not status.usable()
    answers[0] = replica.Probe(standby=True, replayed=10)
    assert not status.usable(), "left alone for RETRY_SECONDS"
    assert not status.has_replayed(5), "not even to learn how far it replayed"
