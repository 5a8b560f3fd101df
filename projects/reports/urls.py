"""URLs of the report door: ``/report/<token>/`` and its confirmation."""

from __future__ import annotations

from django.urls import path

from projects.reports import views

app_name = "reports"

urlpatterns = [
    path("<str:token>/", views.report, name="report"),
    path("<str:token>/done/", views.done, name="done"),
]
