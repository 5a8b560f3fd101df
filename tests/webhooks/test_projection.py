"""The webhook read model is a projection: a rebuild reproduces it, verify_ledger agrees."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from projects.models import Webhook
from registry import replay
from tests.webhooks.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_rebuilding_reproduces_the_webhooks_and_the_ledger_verifies(
    as_deepseek: ApiClient, as_unitree: ApiClient
) -> None:
    kept = as_deepseek.post("webhooks/", {"url": "https://a.example.org/x"}).json()["id"]
    gone = as_unitree.post("webhooks/", {"url": "https://b.example.org/y"}).json()["id"]
    as_deepseek.call_json("PATCH", f"webhooks/{kept}/", {"description": "Billing"})
    as_deepseek.call_json("PATCH", f"webhooks/{kept}/", {"enabled": False})
    as_unitree.call("DELETE", f"webhooks/{gone}/")
    before = replay.snapshot()

    call_command("rebuild_projections", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)

    assert replay.snapshot() == before
    assert sum(before["projects.Webhook"].values()) == Webhook.objects.count() == 2
    assert Webhook.objects.get(webhook_id=kept).disabled_reason
    assert Webhook.objects.get(webhook_id=gone).deleted_at is not None
    assert "Read models equal a fresh replay." in out.getvalue()
