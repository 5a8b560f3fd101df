"""One-click unsubscribe: a plain POST, no login, an answer in the recipient's language."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client

from projects.application import contacts
from projects.domain.recipient import Kind
from projects.notifications import jobs
from projects.notifications.models import Subscription
from projects.notifications.unsubscribe import unsubscribe_url
from registry.models import StoredEvent
from testkit.smtp import Inbox
from tests.notifications.world import World
from tests.projects.builders import OFFICER

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 9, 1)


def link_of(inbox: Inbox, address: str) -> str:
    """Return the path of the List-Unsubscribe link in the mail to ``address``."""
    (mail,) = inbox.to(address)
    return urlsplit(str(mail["List-Unsubscribe"]).strip().strip("<>")).path


def unsubscriptions() -> list[tuple[str, dict[str, str]]]:
    """Return the Unsubscribed events: who, and the metadata's door and actor kind."""
    rows = StoredEvent.objects.filter(event_type="Unsubscribed")
    return [(r.stream_id, r.metadata) for r in rows]


def test_a_plain_post_unsubscribes_and_answers_in_the_recipients_language(
    world: World, inbox: Inbox, client: Client
) -> None:
    jobs.send_digests(today=MONDAY)
    path = link_of(inbox, world.itib.email)

    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hant"
    assert "你已取消訂閱" in response.content.decode()
    recipient = world.recipient(world.itib)
    row = Subscription.objects.get(recipient_id=recipient, kind="digest")
    assert (row.active, row.via) == (False, "link")
    ((stream, metadata),) = unsubscriptions()
    assert (stream, metadata["source"], metadata["actor_kind"]) == (recipient, "mail", "partner")


def test_unsubscribing_twice_records_it_once_and_confirms_twice(
    world: World, inbox: Inbox, client: Client
) -> None:
    jobs.send_digests(today=MONDAY)
    path = link_of(inbox, world.unitree.email)

    answers = [client.post(path).status_code for _ in range(2)]

    assert answers == [200, 200]
    assert len(unsubscriptions()) == 1


def test_opening_the_link_asks_first_and_changes_nothing(
    world: World, inbox: Inbox, client: Client
) -> None:
    jobs.send_digests(today=MONDAY)

    response = client.get(link_of(inbox, world.deepseek.email))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post">' in page
    assert "取消订阅" in page
    assert unsubscriptions() == []


def test_an_unsubscribed_reader_gets_no_more_digests(
    world: World, inbox: Inbox, client: Client
) -> None:
    jobs.send_digests(today=MONDAY)
    client.post(link_of(inbox, world.unitree.email))

    report = jobs.send_digests(today=MONDAY + dt.timedelta(days=7))

    assert report.sent == 3
    assert len(inbox.to(world.unitree.email)) == 1


def test_a_tampered_link_is_refused_and_records_nothing(world: World, client: Client) -> None:
    url = unsubscribe_url(world.recipient(world.unitree), Kind.DIGEST, "en")
    path = urlsplit(url).path.replace("digest", "Digest")

    response = client.post(path[:-6] + "xxxxx/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert unsubscriptions() == []


def test_the_link_of_an_erased_contact_says_there_is_nothing_to_unsubscribe(
    world: World, client: Client
) -> None:
    path = urlsplit(unsubscribe_url(world.recipient(world.unitree), Kind.DIGEST, "en")).path
    contacts.contact_erase(world.unitree.pk, actor=OFFICER)

    response = client.post(path)

    assert response.status_code == 410
    assert "does not exist or was erased" in response.content.decode()
    assert unsubscriptions() == []


def test_the_reminders_link_offers_weekly_reminders_and_records_the_choice(
    world: World, client: Client
) -> None:
    recipient = world.recipient(world.unitree)
    path = urlsplit(unsubscribe_url(recipient, Kind.REMINDERS, "en")).path

    offered = client.get(path).content.decode()
    chosen = client.post(path, {"frequency": "weekly"})
    back = client.post(path, {"frequency": "daily"})

    assert 'name="frequency" value="weekly"' in offered
    assert chosen.status_code == 200
    assert "Your choice is recorded" in chosen.content.decode()
    assert "at most one reminder mail a week" in chosen.content.decode()
    assert 'name="frequency" value="daily"' in chosen.content.decode()
    assert back.status_code == 200
    events = StoredEvent.objects.filter(event_type="ReminderFrequencySet").order_by("position")
    assert [(e.stream_id, e.data["frequency"], e.metadata["source"]) for e in events] == [
        (recipient, "weekly", "mail"),
        (recipient, "daily", "mail"),
    ]
    row = Subscription.objects.get(recipient_id=recipient, kind="reminders")
    assert (row.active, row.frequency) == (True, "daily")  # still subscribed throughout
    assert unsubscriptions() == []


@pytest.mark.parametrize(
    ("kind", "form"),
    [(Kind.REMINDERS, {"frequency": "hourly"}), (Kind.DIGEST, {"frequency": "weekly"})],
)
def test_a_frequency_that_is_not_a_choice_is_refused_and_records_nothing(
    world: World, client: Client, kind: Kind, form: dict[str, str]
) -> None:
    path = urlsplit(unsubscribe_url(world.recipient(world.unitree), kind, "en")).path

    response = client.post(path, form)

    assert response.status_code == 400
    assert not StoredEvent.objects.filter(stream_type="recipient").exists()
