"""Top-level URLs."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from projects.admin.account import account_urls


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Redirect to the favicon's static URL, looked up when asked (not at import time).

    With hashed static names the URL comes from collectstatic's manifest, which does not
    exist yet when collectstatic itself (or ``check``) imports this module.
    """
    return HttpResponsePermanentRedirect(static("projects/favicon.svg"))


# A database that cannot answer now gets a 503 page, not a 500 (projects/unavailable.py).
handler500 = "projects.unavailable.server_error"

urlpatterns = [
    # "My account" (an officer's own name and address) lives inside the admin's pages.
    *account_urls(),
    path("admin/", admin.site.urls),
    # The admin header's language switcher posts to django.views.i18n.set_language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon),
    # The partners' REST API, its OpenAPI schema and Swagger UI (projects/api).
    path("api/", include("projects.api.urls")),
    path("notifications/", include("projects.notifications.urls")),
    # Open data: the IATI files and the page explaining them, no login (projects/publishing).
    path("open-data/", include("projects.publishing.urls")),
    # A partner's contact reports a milestone's outcome from a reminder mail (projects/reports).
    path("report/", include("projects.reports.urls")),
]
