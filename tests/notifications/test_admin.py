"""The admin: recipients changed by command, a digest preview, and the read-only dispatch log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from projects.notifications import jobs
from projects.notifications.models import StaffPreference, Subscription
from projects.notifications.outbox import Dispatch
from registry import store
from registry.models import StoredEvent
from tests.notifications.world import M1_DUE, World, officer

pytestmark = pytest.mark.django_db


def recipient_url(world: World, who: object, *, preview: bool = False) -> str:
    """Return the admin page (or the digest preview) of a recipient."""
    name = "admin:notifications_recipient_preview" if preview else "admin:notifications_recipient"
    return reverse(name, args=[world.recipient(who)])


def form_data(version: int, **changes: object) -> dict[str, object]:
    """Return the recipient form as a contact who receives everything would submit it."""
    data: dict[str, object] = {
        "reminders": "on",
        "reminders_language": "",
        "reminders_frequency": "daily",
        "digest": "on",
        "digest_language": "",
        "version": version,
        "reason": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_recipients_page_lists_everyone_mail_goes_to(
    world: World, admin_client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:notifications_subscription_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    for person in (world.deepseek, world.unitree, world.itib):
        assert person.email in page
    assert world.officer.email in page
    assert recipient_url(world, world.deepseek, preview=True) in page


def test_weekly_reminders_chosen_in_the_admin_are_an_event(
    world: World, admin_client: Client
) -> None:
    url = recipient_url(world, world.unitree)

    response = admin_client.post(url, form_data(0, reminders_frequency="weekly"))
    again = admin_client.get(url)

    assert response.status_code == 302
    (event,) = StoredEvent.objects.filter(event_type="ReminderFrequencySet")
    assert (event.stream_id, event.data["frequency"]) == (world.recipient(world.unitree), "weekly")
    row = Subscription.objects.get(recipient_id=world.recipient(world.unitree), kind="reminders")
    assert (row.active, row.frequency) == (True, "weekly")
    assert again.context["form"].initial["reminders_frequency"] == "weekly"


def test_unsubscribing_a_contact_in_the_admin_records_a_command(
    world: World, admin_client: Client, admin_user
) -> None:
    url = recipient_url(world, world.deepseek)

    response = admin_client.post(
        url, form_data(0, digest=None, reminders_language="en", reason="Asked by phone")
    )

    assert response.status_code == 302
    rows = dict(
        Subscription.objects.filter(recipient_id=world.recipient(world.deepseek)).values_list(
            "kind", "active"
        )
    )
    assert rows == {"digest": False, "reminders": True}
    events = StoredEvent.objects.filter(stream_type="recipient").order_by("position")
    assert [e.event_type for e in events] == ["Subscribed", "Unsubscribed"]
    assert {e.metadata["actor_id"] for e in events} == {str(admin_user.pk)}
    assert events[1].data["via"] == "admin"
    assert events[0].metadata["reason"] == "Asked by phone"


def test_an_officer_chooses_the_sectors_followed(world: World, admin_client: Client) -> None:
    response = admin_client.post(
        recipient_url(world, world.officer),
        form_data(0, language="zh-hant", sectors=["robotics"]),
    )

    assert response.status_code == 302
    preference = StaffPreference.objects.get(user_id=world.officer.pk)
    assert (preference.language, preference.sectors, preference.agreements) == (
        "zh-hant",
        ["robotics"],
        [],
    )


def test_a_form_opened_before_someone_elses_change_is_not_applied_blindly(
    world: World, admin_client: Client
) -> None:
    url = recipient_url(world, world.unitree)
    admin_client.post(url, form_data(0, digest=None))

    response = admin_client.post(url, form_data(0, reminders=None, digest=None))

    assert response.status_code == 200
    assert "changed this recipient" in response.content.decode()
    assert store.stream_version("recipient", world.recipient(world.unitree)) == 1


def test_the_digest_preview_is_html_and_neither_recorded_nor_sent(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(recipient_url(world, world.itib, preview=True))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hant">' in page
    assert "HKZJ-2025-AI-01" in page
    assert Dispatch.objects.count() == 0
    assert mail.outbox == []


def test_the_dispatch_log_shows_what_went_to_whom_and_cannot_be_changed(
    world: World, admin_client: Client
) -> None:
    jobs.send_reminders(today=M1_DUE - dt.timedelta(days=7))
    row = Dispatch.objects.get(recipient=world.recipient(world.deepseek))

    listing = admin_client.get(reverse("admin:notifications_dispatch_changelist"))
    detail = admin_client.get(reverse("admin:notifications_dispatch_change", args=[row.pk]))
    added = admin_client.post(reverse("admin:notifications_dispatch_add"), {})
    deleted = admin_client.post(
        reverse("admin:notifications_dispatch_delete", args=[row.pk]), {"post": "yes"}
    )

    assert f"王晓明 &lt;{world.deepseek.email}&gt;" in listing.content.decode()
    assert row.message_id.strip("<>") in detail.content.decode()
    assert "7 days before the due date · HKZJ-2025-AI-01/M1 · 2025-08-31" in detail.content.decode()
    assert 'name="subject_line"' not in detail.content.decode()  # read-only: no inputs
    assert (added.status_code, deleted.status_code) == (403, 403)
    assert Dispatch.objects.filter(pk=row.pk).exists()


def test_without_the_permission_the_pages_are_closed(world: World, client: Client) -> None:
    viewer = officer("viewer", "viewer@liaison.example.org")
    client.force_login(viewer)

    closed = client.get(reverse("admin:notifications_subscription_changelist"))
    viewer.user_permissions.add(Permission.objects.get(codename="view_subscription"))
    opened = client.get(reverse("admin:notifications_subscription_changelist"))
    refused = client.post(recipient_url(world, world.unitree), form_data(0, digest=None))

    assert (closed.status_code, opened.status_code, refused.status_code) == (403, 200, 403)
    assert StoredEvent.objects.filter(stream_type="recipient").count() == 0
