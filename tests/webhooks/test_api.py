"""The webhook operations of the partners' API: register, list, read, change, delete, test."""

from __future__ import annotations

import base64
import json

import pytest

from projects.models import Webhook, WebhookSecret
from registry.models import StoredEvent
from testkit.receiver import Receiver
from tests.webhooks.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _register(client: ApiClient, url: str, description: str = "ERP sync") -> dict:
    answer = client.post("webhooks/", {"url": url, "description": description})
    assert answer.status_code == 201, answer.content
    return answer.json()


def _written() -> tuple[int, int]:
    return StoredEvent.objects.count(), WebhookSecret.objects.count()


def test_registering_answers_the_secret_once_and_records_an_event(as_deepseek: ApiClient) -> None:
    created = _register(as_deepseek, "https://erp.example.org/events")

    assert set(created) == {
        "id",
        "url",
        "description",
        "created",
        "changed",
        "enabled",
        "disabled_reason",
        "secret",
    }
    assert created["url"] == "https://erp.example.org/events"
    assert created["enabled"] is True
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    listed = as_deepseek.get("webhooks/").json()["results"]
    read = as_deepseek.get(f"webhooks/{created['id']}/").json()
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in read
    event = StoredEvent.objects.get(stream_type="webhook", stream_id=created["id"])
    assert event.event_type == "WebhookRegistered"
    assert event.metadata["organisation"] == "deepseek"


def test_the_secret_is_never_in_the_log_nor_in_clear_in_the_vault(as_deepseek: ApiClient) -> None:
    created = _register(as_deepseek, "https://erp.example.org/events")
    secret = created["secret"]

    logged = json.dumps(list(StoredEvent.objects.values("data", "metadata")), default=str)
    vault = WebhookSecret.objects.get(webhook_id=created["id"]).ciphertext
    assert secret not in logged
    assert secret.removeprefix("whsec_") not in logged
    assert secret not in vault
    assert secret.removeprefix("whsec_") not in vault


def test_changing_pausing_resuming_and_deleting_are_events(as_deepseek: ApiClient) -> None:
    hook = _register(as_deepseek, "https://erp.example.org/events")["id"]

    changed = as_deepseek.call_json("PATCH", f"webhooks/{hook}/", {"description": "Billing"})
    paused = as_deepseek.call_json("PATCH", f"webhooks/{hook}/", {"enabled": False})
    resumed = as_deepseek.call_json("PATCH", f"webhooks/{hook}/", {"enabled": True})
    same = as_deepseek.call_json("PATCH", f"webhooks/{hook}/", {"description": "Billing"})
    deleted = as_deepseek.call("DELETE", f"webhooks/{hook}/")

    assert changed.status_code == 200
    assert changed.json()["description"] == "Billing"
    assert paused.json()["enabled"] is False
    assert paused.json()["disabled_reason"]
    assert resumed.json()["enabled"] is True
    assert resumed.json()["disabled_reason"] is None
    assert same.status_code == 200
    assert deleted.status_code == 204
    assert as_deepseek.get(f"webhooks/{hook}/").status_code == 404
    assert as_deepseek.get("webhooks/").json()["results"] == []
    assert not WebhookSecret.objects.filter(webhook_id=hook).exists()
    types = StoredEvent.objects.filter(stream_id=hook).order_by("version")
    assert list(types.values_list("event_type", flat=True)) == [
        "WebhookRegistered",
        "WebhookChanged",
        "WebhookDisabled",
        "WebhookEnabled",
        "WebhookDeleted",
    ]


def test_another_organisations_webhook_answers_404_to_everything(
    as_deepseek: ApiClient, as_unitree: ApiClient
) -> None:
    hook = _register(as_deepseek, "https://erp.example.org/events")["id"]
    before = _written()

    answers = [
        as_unitree.get(f"webhooks/{hook}/"),
        as_unitree.call_json("PATCH", f"webhooks/{hook}/", {"description": "mine now"}),
        as_unitree.call("DELETE", f"webhooks/{hook}/"),
        as_unitree.post(f"webhooks/{hook}/test/"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert {a.json()["type"].rsplit("/", 1)[-1] for a in answers} == {"webhook-not-found"}
    assert as_unitree.get("webhooks/").json()["results"] == []
    assert _written() == before
    assert Webhook.objects.get(webhook_id=hook).description == "ERP sync"


def test_a_staff_token_may_not_register_webhooks(as_staff: ApiClient) -> None:
    answer = as_staff.post("webhooks/", {"url": "https://erp.example.org/events"})

    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://erp.example.org/"}, "url"),
        ({"url": "https://erp.example.org/" + "a" * 2000}, "url"),
        ({"url": "https://erp.example.org/#frag"}, "url"),
        ({"url": "https://user:pw@erp.example.org/"}, "url"),
        ({"url": "https://erp.example.org/", "description": "two\nlines"}, "description"),
        ({"url": "https://erp.example.org/", "description": "x" * 501}, "description"),
        ({"url": "https://erp.example.org/", "secret": "mine"}, "secret"),
        ({"description": "no url"}, "url"),
        ({"url": 7}, "url"),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(
    as_deepseek: ApiClient, body: dict, field: str
) -> None:
    before = _written()

    answer = as_deepseek.post("webhooks/", body)

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert _written() == before


def test_an_organisation_has_at_most_ten_webhooks(as_deepseek: ApiClient) -> None:
    for n in range(10):
        _register(as_deepseek, f"https://erp.example.org/{n}")

    answer = as_deepseek.post("webhooks/", {"url": "https://erp.example.org/11"})

    assert answer.status_code == 409
    assert answer.json()["type"].endswith("too-many-webhooks")


def test_the_test_operation_sends_a_signed_ping_and_says_what_came_back(
    as_deepseek: ApiClient,
) -> None:
    with Receiver(204) as receiver:
        hook = _register(as_deepseek, receiver.url("/ping"))
        answer = as_deepseek.post(f"webhooks/{hook['id']}/test/")

    assert answer.status_code == 200
    assert answer.json()["delivered"] is True
    assert answer.json()["status"] == 204
    [got] = receiver.received
    assert json.loads(got.body)["type"] == "webhook.test"
    assert got.headers["webhook-signature"].startswith("v1,")


def test_the_schema_documents_every_webhook_operation() -> None:
    from django.test import Client

    paths = Client().get("/api/schema/?format=json").json()["paths"]

    assert set(paths["/api/v1/webhooks/"]) == {"get", "post"}
    assert set(paths["/api/v1/webhooks/{webhook_id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/webhooks/{webhook_id}/test/"]) == {"post"}
