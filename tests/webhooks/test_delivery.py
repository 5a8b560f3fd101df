"""Deliveries to a real receiver on 127.0.0.1: signed, once, in order, retried, disabled."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from projects.application import Actor
from projects.application.contacts import contact_register
from projects.domain import CorrectProjectDetails, LocalisedText, limits
from projects.domain.errors import DomainError
from projects.webhooks import scan
from projects.webhooks.models import Cursor, Delivery, State
from registry.models import StoredEvent
from testkit.receiver import Receiver
from tests.api.world import AI, ROBOTICS
from tests.projects import builders
from tests.webhooks.conftest import ApiClient, Clock
from tests.webhooks.signatures import signature_valid

pytestmark = pytest.mark.django_db


def _register(client: ApiClient, url: str) -> dict:
    answer = client.post("webhooks/", {"url": url})
    assert answer.status_code == 201, answer.content
    return answer.json()


def _schedule(milestone: str, code: str = AI, responsible: str = "deepseek") -> None:
    builders.schedule(milestone, code=code, responsible=responsible, due_date=dt.date(2025, 9, 30))


def test_an_event_is_delivered_once_signed_with_the_feeds_item_as_body(
    as_deepseek: ApiClient, receiver: Receiver
) -> None:
    hook = _register(as_deepseek, receiver.url())
    _schedule("M7")

    first = scan.send_webhooks()
    second = scan.send_webhooks()

    assert (first.sent, second.sent) == (1, 0)
    [got] = receiver.received
    assert signature_valid(hook["secret"], got.headers, got.body)
    assert not signature_valid(hook["secret"], got.headers, got.body + b" ")
    item = json.loads(got.body)
    position = item["position"]
    feed = as_deepseek.get(f"events/?after={position - 1}&limit=1").json()["results"]
    assert feed == [item]
    assert item["type"] == "MilestoneScheduled"
    assert item["project"] == AI
    assert got.headers["webhook-id"] == f"msg_{hook['id']}_{position}"
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    assert got.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get(webhook_id=hook["id"])
    assert delivery.state == State.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.attempts[0]["status"] == 204


def test_events_before_the_webhook_was_registered_are_not_sent(
    as_deepseek: ApiClient, receiver: Receiver
) -> None:
    _schedule("M7")
    _register(as_deepseek, receiver.url())

    assert scan.send_webhooks().sent == 0
    assert receiver.received == []


def test_each_partner_receives_only_what_its_feed_shows(
    as_deepseek: ApiClient, as_unitree: ApiClient
) -> None:
    with Receiver() as theirs, Receiver() as ours:
        deepseek = _register(as_deepseek, ours.url())
        unitree = _register(as_unitree, theirs.url())
        _schedule("M7", AI, "deepseek")
        _schedule("M8", ROBOTICS, "unitree")
        builders.schedule("M9", code="HKZJ-2025-TR-01", responsible="hk-itib")

        scan.send_webhooks()

    assert [json.loads(r.body)["project"] for r in ours.received] == [AI]
    assert [json.loads(r.body)["project"] for r in theirs.received] == [ROBOTICS]
    assert signature_valid(deepseek["secret"], ours.received[0].headers, ours.received[0].body)
    assert signature_valid(unitree["secret"], theirs.received[0].headers, theirs.received[0].body)
    assert not signature_valid(unitree["secret"], ours.received[0].headers, ours.received[0].body)


def test_a_failed_delivery_is_retried_with_backoff_and_later_events_wait_for_it(
    as_deepseek: ApiClient, clock: Clock
) -> None:
    with Receiver(500, 204) as receiver:
        hook = _register(as_deepseek, receiver.url())
        _schedule("M7")
        _schedule("M8")

        failed = scan.send_webhooks(clock=clock)
        too_soon = scan.send_webhooks(clock=clock)
        clock.advance(seconds=31)
        retried = scan.send_webhooks(clock=clock)

    assert (failed.failed, failed.sent) == (1, 0)
    assert (too_soon.waiting, too_soon.sent) == (1, 0)
    assert retried.sent == 2
    positions = [json.loads(r.body)["position"] for r in receiver.received]
    assert positions[0] == positions[1] < positions[2]  # the same event again, then the next
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids[0] == ids[1]  # a retry keeps its webhook-id
    first = Delivery.objects.filter(webhook_id=hook["id"]).order_by("position").first()
    assert first is not None
    assert [a["status"] for a in first.attempts] == [500, 204]


def test_backoff_doubles_between_attempts(as_deepseek: ApiClient, clock: Clock) -> None:
    with Receiver(500) as receiver:
        hook = _register(as_deepseek, receiver.url())
        _schedule("M7")
        waits = []
        for _ in range(4):
            scan.send_webhooks(clock=clock)
            delivery = Delivery.objects.get(webhook_id=hook["id"])
            assert delivery.next_attempt_at is not None
            waits.append((delivery.next_attempt_at - clock.now).total_seconds())
            clock.now = delivery.next_attempt_at

    assert waits == [30, 60, 120, 240]
    assert len(receiver.received) == 4


def test_a_webhook_failing_for_three_days_is_disabled_and_its_contacts_told(
    as_deepseek: ApiClient, clock: Clock
) -> None:
    contact_register(
        organisation_id="deepseek",
        name="Li Wei",
        email="li.wei@deepseek.example",
        language="zh-hant",
        actor=Actor.seed(),
    )
    with Receiver(503) as receiver:
        hook = _register(as_deepseek, receiver.url())
        _schedule("M7")
        reports = []
        start = clock.now
        while clock.now - start < dt.timedelta(days=3, hours=7):
            reports.append(scan.send_webhooks(clock=clock))
            clock.advance(hours=1)
        sent_before = len(receiver.received)
        after = scan.send_webhooks(clock=clock)

    assert sum(r.disabled for r in reports) == 1
    assert after.webhooks == 0  # no longer served
    assert len(receiver.received) == sent_before
    assert as_deepseek.get(f"webhooks/{hook['id']}/").json()["enabled"] is False
    disabled = StoredEvent.objects.get(stream_id=hook["id"], event_type="WebhookDisabled")
    assert disabled.metadata["actor_kind"] == "system"
    [told] = mail.outbox
    assert told.to == ["li.wei@deepseek.example"]
    assert hook["id"] in told.body
    assert "停用" in told.subject  # Traditional Chinese, the contact's language
    assert "登記冊已停止向其發送" in told.body

    resumed = as_deepseek.call_json("PATCH", f"webhooks/{hook['id']}/", {"enabled": True})
    assert resumed.json()["enabled"] is True


def test_a_redirect_is_not_followed(as_deepseek: ApiClient, clock: Clock) -> None:
    with Receiver(204, redirect="/elsewhere") as receiver:
        _register(as_deepseek, receiver.url("/hook"))
        _schedule("M7")

        report = scan.send_webhooks(clock=clock)

    assert report.failed == 1
    assert [r.path for r in receiver.received] == ["/hook"]
    delivery = Delivery.objects.get()
    assert delivery.state == State.PENDING
    assert delivery.last_status == 302


def test_one_bad_webhook_does_not_stop_the_others(
    as_deepseek: ApiClient, receiver: Receiver
) -> None:
    with Receiver(500) as broken:
        _register(as_deepseek, broken.url())
        _register(as_deepseek, "http://127.0.0.1:9/nobody-listens")
        _register(as_deepseek, receiver.url())
        _schedule("M7")

        report = scan.send_webhooks()

    assert report.webhooks == 3
    assert report.sent == 1
    assert report.failed == 2
    assert len(receiver.received) == 1


def test_the_command_counts_on_a_dry_run_and_sends_on_a_real_one(
    as_deepseek: ApiClient, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    _register(as_deepseek, receiver.url())
    _schedule("M7")
    _schedule("M8")

    call_command("send_webhooks", "--dry-run")
    dry = capsys.readouterr().out
    assert receiver.received == []
    assert not Delivery.objects.exists()
    call_command("send_webhooks")
    real = capsys.readouterr().out

    assert "Would send 2 deliveries to 1 webhooks" in dry
    assert "nothing sent" in dry
    assert "1 webhooks: 2 delivered, 0 failed" in real
    assert len(receiver.received) == 2


def test_a_receiver_slower_than_the_timeout_counts_as_a_failure(
    as_deepseek: ApiClient, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT = 0.3
    with Receiver(204, delay=1.0) as receiver:
        _register(as_deepseek, receiver.url())
        _schedule("M7")

        report = scan.send_webhooks()

    assert report.failed == 1
    delivery = Delivery.objects.get()
    assert delivery.state == State.PENDING
    assert "timed out" in delivery.last_error


def test_a_body_over_the_limit_is_recorded_and_does_not_hold_up_the_next(
    as_deepseek: ApiClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(as_deepseek, receiver.url())
    builders.run(CorrectProjectDetails(AI, "A long description", descriptions=_long_text()))
    _schedule("M7")
    monkeypatch.setattr(limits, "WEBHOOK_BODY_BYTES", 3000)

    report = scan.send_webhooks()

    too_large, delivered = Delivery.objects.order_by("position")
    assert too_large.state == State.TOO_LARGE
    assert "too large" in too_large.last_error
    assert delivered.state == State.DELIVERED
    assert report.sent == 1
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["MilestoneScheduled"]


def _long_text() -> LocalisedText:
    return LocalisedText(en="x" * 3000, zh_hant="長" * 1000, zh_hans="长" * 1000)


def test_a_webhook_another_worker_is_serving_is_left_to_it(
    as_deepseek: ApiClient, receiver: Receiver, clock: Clock
) -> None:
    hook = _register(as_deepseek, receiver.url())
    assert scan.send_webhooks(clock=clock).sent == 0  # nothing yet; its cursor is set
    _schedule("M7")
    # Another worker took the lease a moment ago.
    Cursor.objects.filter(webhook_id=hook["id"]).update(
        lease_until=clock.now + dt.timedelta(minutes=5)
    )

    held = scan.send_webhooks(clock=clock)
    clock.advance(minutes=16)
    expired = scan.send_webhooks(clock=clock)

    assert (held.busy, held.sent) == (1, 0)
    assert expired.sent == 1
    assert len(receiver.received) == 1


def test_the_scan_is_queued_after_commit_only_for_project_events(
    as_deepseek: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as registered:
        _register(as_deepseek, "https://erp.example.org/hook")
    with django_capture_on_commit_callbacks() as scheduled:
        _schedule("M7")
    with django_capture_on_commit_callbacks() as refused, pytest.raises(DomainError):
        _schedule("M7")  # scheduled already: refused, nothing recorded

    assert len(registered) == 1  # told, but a webhook's own events are not project events
    assert len(scheduled) == 1
    assert refused == []
