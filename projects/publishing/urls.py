"""URLs of the open-data door: the page and the two IATI files."""

from __future__ import annotations

from django.urls import path

from projects.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.open_data, name="open-data"),
    path("iati/activities.xml", views.activities, name="activities"),
    path("iati/organisation.xml", views.organisation, name="organisation"),
]
