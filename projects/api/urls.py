"""The API's routes: ``/api/v1/...``, the OpenAPI schema and its Swagger UI.

Path converters match only well-formed ids and codes, so a malformed one (or a NUL
character) never reaches a query; anything else under ``/api/`` answers a 404 problem.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from projects.api import schema  # noqa: F401  (registers the security schemes)
from projects.api.views import (
    calendar,
    claims,
    directory,
    fallback,
    feed,
    ledger,
    pages,
    projects,
    webhooks,
)


class _Slug:
    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class _Code(_Slug):
    regex = "[A-Z0-9]+(?:-[A-Z0-9]+)*"


class _MilestoneId(_Slug):
    regex = "[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*"


class _WebhookId(_Slug):
    regex = "[0-9a-f]{16}"


register_converter(_Slug, "orgid")
register_converter(_WebhookId, "webhookid")
register_converter(_Code, "code")
register_converter(_MilestoneId, "milestone")

app_name = "api"

v1 = [
    path("organisations/", directory.OrganisationList.as_view(), name="organisations"),
    path("organisations/<orgid:id>/", directory.OrganisationDetail.as_view(), name="organisation"),
    path("agreements/", directory.AgreementList.as_view(), name="agreements"),
    path("agreements/<code:code>/", directory.AgreementDetail.as_view(), name="agreement"),
    path("sectors/", directory.SectorList.as_view(), name="sectors"),
    path("projects/", projects.ProjectList.as_view(), name="projects"),
    path("projects/<code:code>/", projects.ProjectDetail.as_view(), name="project"),
    path("projects/<code:code>/events/", projects.ProjectHistory.as_view(), name="history"),
    path(
        "projects/<code:code>/milestones/<milestone:milestone_id>/claims/",
        claims.ClaimCreate.as_view(),
        name="claims",
    ),
    path("events/", feed.EventFeed.as_view(), name="events"),
    path("milestones/calendar.ics", calendar.MilestoneCalendar.as_view(), name="calendar"),
    path("ledger/head/", ledger.TreeHead.as_view(), name="ledger-head"),
    path("ledger/keys/", ledger.SigningKeys.as_view(), name="ledger-keys"),
    path("ledger/inclusion/", ledger.Inclusion.as_view(), name="ledger-inclusion"),
    path("ledger/consistency/", ledger.Consistency.as_view(), name="ledger-consistency"),
    path("ledger/verifier.py", ledger.VerifierScript.as_view(), name="ledger-verifier"),
    path("webhooks/", webhooks.WebhookList.as_view(), name="webhooks"),
    path("webhooks/<webhookid:webhook_id>/", webhooks.WebhookDetail.as_view(), name="webhook"),
    path(
        "webhooks/<webhookid:webhook_id>/test/",
        webhooks.WebhookTest.as_view(),
        name="webhook-test",
    ),
]

# The Swagger UI page's one inline <style> block (three layout rules in drf-spectacular's
# template), allowed by its hash on this view only: the site's Content-Security-Policy
# refuses inline styles (docs/DEPLOY.md, "Security headers").
SWAGGER_INLINE_STYLE = csp_update(
    {"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]}
)

urlpatterns = [
    path("v1/", include(v1)),
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path(
        "docs/",
        SWAGGER_INLINE_STYLE(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
            )
        ),
        name="docs",
    ),
    # Pages for people: what each problem type means, the guide, the changelog.
    path("problems/", pages.problem_index, name="problems"),
    path("problems/<orgid:code>", pages.problem_page, name="problem"),
    path("guide", pages.guide, name="guide"),
    path("changelog", pages.changelog_page, name="changelog"),
    re_path(r"^.*$", fallback.NoRoute.as_view(), name="no-route"),
]
