"""The global feed: every project event the caller may see, in position order."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api import presenters
from projects.api.permissions import MayViewProjects
from projects.api.schema import READ_ERRORS, problems
from projects.api.serializers import EventCursor, FeedPageOut
from projects.api.views.base import ApiView, caller, page_links


class EventFeed(ApiView):
    etag_from_head = True
    query_serializer = EventCursor
    permission_classes = [MayViewProjects]

    @extend_schema(
        operation_id="events_feed",
        tags=["Events"],
        summary="Follow the feed of changes",
        parameters=[EventCursor],
        responses={200: FeedPageOut, **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return the events of the caller's projects after ``after``, with a ``next`` link.

        Following ``next`` never misses or repeats an event, even while others write;
        an empty page means you are up to date: poll ``next`` again later.
        """
        params = self.params
        page = selectors.project_event_page(
            after=params["after"], limit=params["limit"], organisation=caller(request).scope
        )
        self.links = page_links(
            request,
            next_params={"after": page.next_after, "limit": params["limit"]},
            prev_params=None,
            first_params={"after": 0, "limit": params["limit"]},
        )
        return Response(
            {
                "next": self.links["next"],
                "results": [presenters.event(e, with_project=True) for e in page.events],
            }
        )
