"""Projects a caller may see: the list, one project (live or as of a moment), its history."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api import conditional, presenters
from projects.api.permissions import MayViewProjects
from projects.api.schema import ETAG, READ_ERRORS, problems
from projects.api.serializers import (
    EventCursor,
    EventPageOut,
    ProjectAsOf,
    ProjectFilters,
    ProjectOut,
    ProjectPage,
)
from projects.api.views.base import ApiView, caller, page_links, project_not_found

TAG = "Projects"


class ProjectList(ApiView):
    etag_from_head = True
    query_serializer = ProjectFilters
    permission_classes = [MayViewProjects]

    @extend_schema(
        operation_id="projects_list",
        tags=[TAG],
        summary="List the projects you take part in",
        parameters=[ProjectFilters],
        responses={200: ProjectPage, **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return a page of the projects the caller sees, filtered and ordered.

        ``overdue=true`` keeps projects with an open milestone past due today;
        ``due_before``/``due_after`` keep projects with an open milestone due in that
        range; ``search`` looks in codes and titles (all three languages).
        """
        params = self.params
        limit, offset = params.pop("limit"), params.pop("offset")
        today = timezone.localdate()
        overdue = params.pop("overdue")
        projects = selectors.project_filter(
            organisation=caller(request).scope, overdue_on=today if overdue else None, **params
        )
        # One row more than the page says whether there is a next one, without a COUNT.
        rows = presenters.project_summaries(
            projects.prefetch_related(None)[offset : offset + limit + 1], today
        )
        page = rows[:limit]
        self.links = page_links(
            request,
            next_params={"offset": offset + limit, "limit": limit} if len(rows) > limit else None,
            prev_params={"offset": max(0, offset - limit), "limit": limit} if offset > 0 else None,
            first_params={"offset": 0, "limit": limit},
        )
        return Response(
            {
                "next": self.links.get("next"),
                "previous": self.links.get("prev"),
                "results": page,
            }
        )


class ProjectDetail(ApiView):
    query_serializer = ProjectAsOf
    permission_classes = [MayViewProjects]

    @extend_schema(
        operation_id="project_read",
        tags=[TAG],
        summary="Read a project with its parties and milestones",
        parameters=[ProjectAsOf, ETAG],
        responses={200: ProjectOut, 304: None, **problems(*READ_ERRORS, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        """Return the project, its parties and milestones, with its version as ETag.

        With ``as_of`` the project is answered as the registry had recorded it then.
        ``If-None-Match`` with the current ETag answers 304 Not Modified.
        """
        params = self.params
        scope = caller(request).scope
        project = selectors.project_visible(code, organisation=scope)
        if project is None:
            raise project_not_found(code)
        as_of = params.get("as_of")
        if as_of is not None:
            past = selectors.project_as_of_versioned(code, as_of=as_of)
            if past is None:
                raise project_not_found(code)
            return Response(presenters.project_as_of(*past, as_of))
        etag = f'"{project.version}"'
        if conditional.none_match(request.headers.get("If-None-Match"), etag):
            return Response(status=304, headers={"ETag": etag})
        body = presenters.project_detail(project, timezone.localdate())
        return Response(body, headers={"ETag": etag})


class ProjectHistory(ApiView):
    etag_from_head = True
    query_serializer = EventCursor
    permission_classes = [MayViewProjects]

    def find_target(self, request: Request, **kwargs: Any) -> None:
        """Raise the 404 of a project that does not exist or that the caller may not see."""
        code = kwargs["code"]
        if not selectors.visible_projects(caller(request).scope).filter(code=code).exists():
            raise project_not_found(code)

    @extend_schema(
        operation_id="project_history",
        tags=[TAG],
        summary="Read a project's history",
        parameters=[EventCursor],
        responses={200: EventPageOut, **problems(*READ_ERRORS, 404)},
        examples=[
            OpenApiExample(
                "history",
                response_only=True,
                value={
                    "next": "https://registry.example/api/v1/projects/HKZJ-2025-AI-01/events/"
                    "?after=812&limit=50",
                    "results": [
                        {
                            "position": 812,
                            "version": 4,
                            "type": "MilestoneClaimed",
                            "data": {
                                "milestone_id": "M1",
                                "claimant": "deepseek",
                                "claimed_status": "met",
                                "claimed_date": "2025-08-30",
                                "note": "Model delivered",
                            },
                            "occurred_at": "2025-09-01T02:00:00Z",
                            "recorded_at": "2025-09-01T02:00:00.120000Z",
                            "actor": {"kind": "partner", "organisation": "deepseek"},
                            "source": "api",
                            "reason": None,
                            "hash": "4f2c…",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, code: str) -> Response:
        """Return the project's events after ``after``, oldest first, with a ``next`` link."""
        params = self.params
        page = selectors.project_event_page(after=params["after"], limit=params["limit"], code=code)
        self.links = page_links(
            request,
            next_params={"after": page.next_after, "limit": params["limit"]},
            prev_params=None,
            first_params={"after": 0, "limit": params["limit"]},
        )
        return Response(
            {
                "next": self.links["next"],
                "results": [presenters.event(e, with_project=False) for e in page.events],
            }
        )
