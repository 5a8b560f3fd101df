"""The report link: a partner's contact records a milestone's outcome from a reminder mail.

Every refusal is a page in the contact's language with a 4xx status, and writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from projects.application import contacts
from projects.domain import CancelMilestone, ClaimMilestone, RescheduleMilestone
from projects.domain.values import ClaimedStatus
from projects.models import Milestone
from registry.models import StoredEvent
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, World
from tests.projects.builders import OFFICER, partner, run, written
from tests.reports.links import link_for, link_from_mail

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)
M1 = f"{AI}/M1"
MET = {"outcome": "met", "date": "2025-08-30", "note": "Pilot is live"}


def page(response: object) -> str:
    """Return a response's body as text."""
    return response.content.decode()  # type: ignore[attr-defined]


def test_the_link_in_the_mail_shows_the_milestone_in_the_contacts_language(
    world: World, inbox: Inbox, client: Client, django_assert_max_num_queries: object
) -> None:
    path = link_from_mail(inbox, world.deepseek.email, today=WEEK_BEFORE)

    with django_assert_max_num_queries(4):  # type: ignore[operator]
        response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    body = page(response)
    assert '<html lang="zh-hans">' in body
    for shown in ("申报里程碑结果", AI, "Milestone M1（简）", "2025-08-31", "DeepSeek"):
        assert shown in body
    for value in ("met", "partiallyMet", "notMet"):
        assert f'name="outcome" value="{value}"' in body


def test_posting_the_form_records_the_contacts_claim_through_the_application_layer(
    world: World, inbox: Inbox, client: Client
) -> None:
    path = link_from_mail(inbox, world.deepseek.email, today=WEEK_BEFORE)

    response = client.post(path, MET)
    done = client.get(response["Location"])

    assert (response.status_code, response["Location"]) == (303, f"{path}done/")
    assert done.status_code == 200
    assert "你的申报已记录" in page(done)
    (claim,) = StoredEvent.objects.filter(event_type="MilestoneClaimed")
    assert claim.data["claimant"] == "deepseek"
    assert claim.data["claimed_status"] == "met"
    metadata = claim.metadata
    assert (metadata["actor_kind"], metadata["source"], metadata["organisation"]) == (
        "partner",
        "mail",
        "deepseek",
    )
    assert metadata["actor_id"] == f"contact:{world.deepseek.pk}"
    assert world.deepseek.email not in str(metadata)  # the contact by id, never the address
    assert Milestone.objects.get(key=M1).claim_status == "met"


def test_a_used_link_is_refused_and_writes_nothing(
    world: World, inbox: Inbox, client: Client
) -> None:
    path = link_from_mail(inbox, world.deepseek.email, today=WEEK_BEFORE)
    client.post(path, MET)
    before = written()

    again = client.post(path, MET)
    other = client.post(path, {**MET, "outcome": "notMet"})
    opened = client.get(path)

    assert [again.status_code, other.status_code, opened.status_code] == [409, 409, 409]
    assert "此链接已使用过" in page(again)
    assert written() == before


def test_an_altered_link_is_refused_in_the_contacts_language(world: World, client: Client) -> None:
    path = link_for(world.deepseek, M1)
    token = path.split("/")[2]
    altered = path.replace(token, token[:-3] + ("abc" if token[-3:] != "abc" else "xyz"))
    before = written()

    posted = client.post(altered, MET)
    opened = client.get(altered)
    nonsense = client.get("/report/not-a-token/")

    assert (posted.status_code, opened.status_code, nonsense.status_code) == (400, 400, 400)
    assert "此链接无效" in page(posted)  # the language named in the token's payload
    assert nonsense["Content-Language"] == "en"
    assert "This link is not valid" in page(nonsense)
    assert written() == before


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(b"[" * 3000).decode().rstrip("="),  # nesting past the limit
        base64.urlsafe_b64encode(b'{"l": "zh-hans"' + b" " * 600 + b"}").decode() + ":x:y",
        "%E2%80%AE" + "x" * 50,  # a bidi override in the path
        "x" * 3000,
    ],
)
def test_a_made_up_token_is_refused_plainly(world: World, client: Client, token: str) -> None:
    response = client.get(f"/report/{token}/")

    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert "This link is not valid" in page(response)


def test_a_link_older_than_30_days_has_expired(world: World, client: Client) -> None:
    issued = timezone.now() - dt.timedelta(days=30, minutes=1)
    path = link_for(world.unitree, f"{AI}/M1", issued=issued, language="en")
    fresh = link_for(world.deepseek, M1, issued=timezone.now() - dt.timedelta(days=29))
    before = written()

    response = client.post(path, MET)

    assert response.status_code == 410
    assert "This link has expired" in page(response)
    assert written() == before
    assert client.get(fresh).status_code == 200


def test_a_milestone_changed_since_the_mail_is_refused(world: World, client: Client) -> None:
    path = link_for(world.deepseek, M1)
    run(RescheduleMilestone(AI, "M1", M1_DUE + dt.timedelta(days=14), "Hardware late"))
    before = written()

    response = client.post(path, MET)

    assert response.status_code == 409
    assert "此里程碑在邮件发出后已有变动" in page(response)
    assert written() == before
    assert client.get(link_for(world.deepseek, M1)).status_code == 200  # a new link works


def test_a_claim_already_pending_is_refused(world: World, client: Client) -> None:
    path = link_for(world.deepseek, M1, language="en")
    run(
        ClaimMilestone(AI, "M1", "deepseek", ClaimedStatus.MET, M1_DUE),
        metadata=partner("deepseek"),
    )
    before = written()

    response = client.post(link_for(world.deepseek, M1, language="en"), MET)

    assert response.status_code == 409
    assert "A report is already awaiting confirmation" in page(response)
    assert client.get(path).status_code == 409
    assert written() == before


def test_a_closed_milestone_is_refused(world: World, client: Client) -> None:
    run(CancelMilestone(AI, "M1", "Merged into M2"))

    response = client.post(link_for(world.deepseek, M1, language="en"), MET)

    assert response.status_code == 409
    assert "This milestone is closed" in page(response)
    assert not StoredEvent.objects.filter(event_type="MilestoneClaimed").exists()


def test_a_contact_of_another_organisation_is_refused(world: World, client: Client) -> None:
    response = client.post(link_for(world.unitree, M1), MET)

    assert response.status_code == 403
    assert "Your organisation does not report on this milestone" in page(response)
    assert not StoredEvent.objects.filter(event_type="MilestoneClaimed").exists()


def test_an_erased_contacts_link_no_longer_works(world: World, client: Client) -> None:
    path = link_for(world.deepseek, M1, language="en")
    contacts.contact_erase(contact_id=world.deepseek.pk, actor=OFFICER, reason="Left DeepSeek")
    before = written()

    response = client.post(path, MET)

    assert response.status_code == 410
    assert "This link no longer works" in page(response)
    assert written() == before


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"date": "2025-08-30"}, "outcome", "Choose whether the milestone was met"),
        ({**MET, "outcome": "done"}, "outcome", "Choose whether the milestone was met"),
        ({**MET, "date": "2025-02-30"}, "date", "Give the date as YYYY-MM-DD."),
        ({**MET, "date": ""}, "date", "Give the date as YYYY-MM-DD."),
        ({**MET, "date": "2099-01-01"}, "date", "must lie between"),
        ({**MET, "note": "x" * 2001}, "note", "2000"),
        ({**MET, "priority": "high"}, "", "This form has no such field."),
    ],
)
def test_a_bad_form_is_answered_on_its_field_and_writes_nothing(
    world: World, client: Client, form: dict[str, str], field: str, message: str
) -> None:
    path = link_for(world.deepseek, M1, language="en")
    before = written()

    response = client.post(path, form)

    assert response.status_code == 400
    body = page(response)
    assert "Nothing was recorded" in body
    assert message in body
    assert written() == before
    assert client.post(path, MET).status_code == 303  # the link still works once
