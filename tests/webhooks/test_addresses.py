"""Webhooks never reach loopback, private, link-local or metadata addresses (SSRF).

With ``WEBHOOK_ALLOW_PRIVATE`` off (production), registering such a URL is refused with a
problem and nothing is written; and a webhook whose host has come to resolve to such an
address by the time of delivery is refused at the door of the connection: nothing leaves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from projects.domain.webhook import address_allowed
from projects.models import WebhookSecret
from projects.webhooks import scan
from projects.webhooks.models import Delivery, State
from registry.models import StoredEvent
from testkit.receiver import Receiver
from tests.api.world import AI
from tests.projects import builders
from tests.webhooks.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.usefixtures("production")
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1.2.3:8443/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.20/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",  # a name that resolves to loopback
        "https://LocalHost:8443/hook",
    ],
)
def test_a_url_leading_to_a_non_public_address_is_refused(as_deepseek: ApiClient, url: str) -> None:
    before = (StoredEvent.objects.count(), WebhookSecret.objects.count())

    answer = as_deepseek.post("webhooks/", {"url": url})

    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("webhook-address-refused")
    assert answer.json()["errors"][0]["field"] == "url"
    assert (StoredEvent.objects.count(), WebhookSecret.objects.count()) == before


@pytest.mark.usefixtures("production")
def test_plain_http_is_refused_in_production(as_deepseek: ApiClient) -> None:
    answer = as_deepseek.post("webhooks/", {"url": "http://erp.example.org/hook"})

    assert answer.status_code == 422
    assert answer.json()["type"].endswith("webhook-url-refused")


@pytest.mark.usefixtures("production")
def test_a_host_that_does_not_resolve_is_refused(as_deepseek: ApiClient) -> None:
    answer = as_deepseek.post("webhooks/", {"url": "https://nowhere.invalid/hook"})

    assert answer.status_code == 422
    assert answer.json()["type"].endswith("webhook-address-refused")


def test_a_webhook_now_leading_to_loopback_is_not_sent_to(
    as_deepseek: ApiClient, settings: Any
) -> None:
    with Receiver() as receiver:
        # Registered while private addresses were allowed (say, the name resolved elsewhere).
        as_deepseek.post("webhooks/", {"url": f"https://localhost:{receiver.port}/hook"})
        builders.schedule("M7", code=AI, responsible="deepseek", due_date=dt.date(2025, 9, 30))
        settings.WEBHOOK_ALLOW_PRIVATE = False

        report = scan.send_webhooks()

    assert report.failed == 1
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.state == State.PENDING
    assert delivery.last_error.startswith("refused: localhost resolves to ")


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),
        ("100.100.100.200", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1%eth0", False),
        ("224.0.0.1", False),
        ("not an address", False),
    ],
)
def test_the_address_rule(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed
