"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The partners' REST API, its OpenAPI schema and Swagger UI (projects/api).
    path("api/", include("projects.api.urls")),
]
