"""URLs of the notifications door: the unsubscribe link."""

from __future__ import annotations

from django.urls import path

from projects.notifications import unsubscribe

app_name = "notifications"

urlpatterns = [
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
