"""The milestone calendar: iCalendar, stable UIDs, increasing SEQUENCE, token in the URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from projects.domain import CancelMilestone, LocalisedText, MilestoneType, RescheduleMilestone
from projects.domain.project_events import MilestoneScheduled
from registry import store
from tests.api.conftest import ApiClient
from tests.api.world import AI, World
from tests.projects import builders

pytestmark = pytest.mark.django_db


def _events(response: object) -> dict[str, object]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"  # type: ignore[index]
    calendar = Calendar.from_ical(response.content)  # type: ignore[attr-defined]
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_milestones_are_all_day_events_on_their_due_dates(as_deepseek: ApiClient) -> None:
    events = _events(as_deepseek.get("milestones/calendar.ics"))

    event = events[f"{AI}/M1@cooperation-registry"]
    assert event.decoded("DTSTART") == dt.date(2025, 8, 31)
    assert event.decoded("DTEND") == dt.date(2025, 9, 1)
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]).startswith(f"{AI} M1:")


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(as_deepseek: ApiClient) -> None:
    builders.run(RescheduleMilestone(AI, "M1", dt.date(2025, 10, 31), "Slipped"))
    first = _events(as_deepseek.get("milestones/calendar.ics"))[f"{AI}/M1@cooperation-registry"]
    builders.run(RescheduleMilestone(AI, "M1", dt.date(2025, 11, 30), "Slipped again"))
    builders.run(CancelMilestone(AI, "M1", "Dropped"))
    last = _events(as_deepseek.get("milestones/calendar.ics"))[f"{AI}/M1@cooperation-registry"]

    assert (first.decoded("DTSTART"), first["SEQUENCE"]) == (dt.date(2025, 10, 31), 1)
    assert (last.decoded("DTSTART"), last["SEQUENCE"], last["STATUS"]) == (
        dt.date(2025, 11, 30),
        3,
        "CANCELLED",
    )


def test_a_calendar_app_may_send_the_token_in_the_url_here_only(api_world: World) -> None:
    app = Client()

    calendar = app.get(f"/api/v1/milestones/calendar.ics?token={api_world.deepseek}")
    projects = app.get(f"/api/v1/projects/?token={api_world.deepseek}")
    revoked = app.get(f"/api/v1/milestones/calendar.ics?token={api_world.revoked}")

    assert f"{AI}/M1@cooperation-registry" in _events(calendar)
    blank = ApiClient(api_world.deepseek).get("milestones/calendar.ics?token=%20")
    assert f"{AI}/M1@cooperation-registry" in _events(blank)  # the header's token counts
    assert (projects.status_code, revoked.status_code) == (401, 401)


def test_the_range_and_the_language_apply(as_deepseek: ApiClient) -> None:
    late = as_deepseek.get("milestones/calendar.ics?start=2025-09-01")
    chinese = as_deepseek.get("milestones/calendar.ics", **{"Accept-Language": "zh-CN"})

    assert _events(late) == {}
    (event,) = _events(chinese).values()
    assert str(event["SUMMARY"]).endswith("（简）")


def test_a_title_recorded_with_breaks_and_overrides_is_one_plain_line(
    as_deepseek: ApiClient,
) -> None:
    # Appended through the store, as the registry accepted it before the text rules.
    hostile = "Pilot\r\nBEGIN:VEVENT\x85next\u2028line \u202eevil"
    event = MilestoneScheduled(
        "M0",
        LocalisedText(hostile, hostile, hostile),
        MilestoneType.DELIVERY,
        dt.date(2025, 9, 15),
        "deepseek",
    )
    store.append("project", AI, [event], expected_version=None, metadata=builders.staff())

    response = as_deepseek.get("milestones/calendar.ics")
    summary = str(_events(response)[f"{AI}/M0@cooperation-registry"]["SUMMARY"])

    assert summary == f"{AI} M0: Pilot BEGIN:VEVENT next line evil"
    body = response.content.decode()
    assert [c for c in ("\x85", "\u2028", "\u202e") if c in body] == []
    assert body.count("\r\nBEGIN:VEVENT\r\n") == len(_events(response))
