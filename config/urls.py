"""Top-level URLs."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The admin header's language switcher posts to django.views.i18n.set_language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=static("projects/favicon.svg"), permanent=True)),
    # The partners' REST API, its OpenAPI schema and Swagger UI (projects/api).
    path("api/", include("projects.api.urls")),
    path("notifications/", include("projects.notifications.urls")),
]
