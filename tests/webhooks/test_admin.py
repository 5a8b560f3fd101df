"""Officers see every delivery in the admin and can send one again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from projects.roles import LIAISON_OFFICERS, OBSERVERS, ensure_roles
from projects.webhooks import scan
from projects.webhooks.models import Delivery, State
from testkit.receiver import Receiver
from tests.api.world import AI
from tests.projects import builders
from tests.webhooks.conftest import ApiClient
from tests.webhooks.signatures import signature_valid

pytestmark = pytest.mark.django_db


def _officer(group: str) -> Client:
    ensure_roles()
    user = User.objects.create_user(f"{group[:8]}-x", password="a-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_sees_deliveries_and_sends_one_again(as_deepseek: ApiClient) -> None:
    officer = _officer(LIAISON_OFFICERS)
    with Receiver(500, 204, 204) as receiver:
        hook = as_deepseek.post("webhooks/", {"url": receiver.url()}).json()
        builders.schedule("M7", code=AI, responsible="deepseek", due_date=dt.date(2025, 9, 30))
        scan.send_webhooks()
        delivery = Delivery.objects.get()
        assert delivery.state == State.PENDING

        listed = officer.get("/admin/webhooks/delivery/")
        page = officer.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
        sent = officer.post(
            "/admin/webhooks/delivery/",
            {"action": "send_again", "_selected_action": [delivery.pk]},
            follow=True,
        )

    assert listed.status_code == 200
    assert delivery.message_id in page.content.decode()
    assert sent.status_code == 200
    assert "delivered (HTTP 204)" in sent.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert [a["status"] for a in delivery.attempts] == [500, 204]
    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert signature_valid(hook["secret"], again.headers, again.body)
    assert officer.get("/admin/webhooks/partnerwebhook/").status_code == 200


def test_an_observer_may_not_send_again(as_deepseek: ApiClient) -> None:
    observer = _officer(OBSERVERS)

    assert observer.get("/admin/webhooks/delivery/").status_code == 403
