"""The caller's milestones as an iCalendar feed, for calendar apps to subscribe to.

Each milestone is an all-day event on its due date with a stable UID
(``<project>/<milestone>@cooperation-registry``); its SEQUENCE is the number of
reschedules (plus one once cancelled), so a calendar replaces the old date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from icalendar import Calendar, Event
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from projects import models as rm
from projects import selectors
from projects.api.authentication import BearerTokenAuthentication, QueryTokenAuthentication
from projects.api.permissions import MayViewProjects
from projects.api.schema import READ_ERRORS, problems
from projects.api.serializers import CalendarRange
from projects.api.views.base import ApiView, caller
from projects.domain.plaintext import neutralise_line

UID_DOMAIN = "cooperation-registry"
_LANGUAGE_SUFFIX = {"zh-hant": "zh_hant", "zh-hans": "zh_hans"}


class ICalendarRenderer(BaseRenderer):
    """Passes an already built ``text/calendar`` body through."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        """Return the calendar's bytes."""
        return data


def _title(row: Any, prefix: str) -> str:
    suffix = _LANGUAGE_SUFFIX.get(get_language() or "en", "en")
    # A title recorded before the text rules may hold breaks or direction overrides.
    return neutralise_line(getattr(row, f"{prefix}_{suffix}") or getattr(row, f"{prefix}_en"))


def _event(milestone: rm.Milestone) -> Event:
    event = Event()
    event.add("uid", f"{milestone.project_id}/{milestone.milestone_id}@{UID_DOMAIN}")
    event.add("dtstart", milestone.due_date)
    event.add("dtend", milestone.due_date + dt.timedelta(days=1))
    event.add("dtstamp", milestone.updated_at)
    event.add("last-modified", milestone.updated_at)
    cancelled = milestone.status == "cancelled"
    event.add("sequence", milestone.reschedule_count + (1 if cancelled else 0))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add(
        "summary", f"{milestone.project_id} {milestone.milestone_id}: {_title(milestone, 'title')}"
    )
    event.add(
        "description",
        gettext("Project: {project}\nResponsible: {responsible}\nStatus: {status}").format(
            project=_title(milestone.project, "title"),
            responsible=_title(milestone.responsible, "name"),
            status=milestone.status,
        ),
    )
    return event


class MilestoneCalendar(ApiView):
    etag_from_head = True
    query_serializer = CalendarRange
    authentication_classes = [BearerTokenAuthentication, QueryTokenAuthentication]
    permission_classes = [MayViewProjects]
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        operation_id="milestones_calendar",
        tags=["Calendar"],
        summary="Subscribe to your milestones (iCalendar)",
        parameters=[CalendarRange],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="An iCalendar (RFC 5545) feed."
            ),
            **problems(*READ_ERRORS),
        },
    )
    def get(self, request: Request) -> Response:
        """Return the milestones of the caller's projects as all-day events.

        The token may be sent as ``?token=`` here (and only here), since calendar apps
        subscribe to a bare URL.
        """
        params = self.params
        milestones = selectors.milestone_calendar(
            organisation=caller(request).scope, start=params.get("start"), end=params.get("end")
        )
        calendar = Calendar()
        calendar.add("prodid", "-//Cooperation Registry//Milestones//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", gettext("Cooperation registry milestones"))
        calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
        for milestone in milestones:
            calendar.add_component(_event(milestone))
        return Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
