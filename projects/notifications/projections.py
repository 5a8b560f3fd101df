"""The projector of the recipient stream: subscriptions and staff preferences.

Runs inline with every append and in rebuilds; the only code writing
``Subscription`` and ``StaffPreference``.
"""

from __future__ import annotations

from typing import Any

from projects.domain import recipient as rc
from projects.notifications.models import StaffPreference, Subscription
from registry import projections
from registry.events import Envelope

projector = projections.register(
    projections.Projector(name="notifications", models=[Subscription, StaffPreference])
)


def _save_subscription(env: Envelope[Any], kind: rc.Kind, **values: Any) -> None:
    key = f"{env.stream_id}/{kind.value}"
    defaults = {"changed_at": env.occurred_at, "version": env.version, **values}
    updated = Subscription.objects.filter(key=key).update(**defaults)
    if not updated:
        Subscription.objects.create(
            key=key, recipient_id=env.stream_id, kind=kind.value, **defaults
        )


@projector.on(rc.Subscribed)
def _subscribed(env: Envelope[rc.Subscribed]) -> None:
    e = env.event
    language = e.language.value if e.language else ""
    _save_subscription(env, e.kind, active=True, language=language, via="")


@projector.on(rc.Unsubscribed)
def _unsubscribed(env: Envelope[rc.Unsubscribed]) -> None:
    e = env.event
    # The language chosen before stays recorded: subscribing again keeps it.
    existing = Subscription.objects.filter(key=f"{env.stream_id}/{e.kind.value}")
    language = existing.values_list("language", flat=True).first() or ""
    _save_subscription(env, e.kind, active=False, language=language, via=e.via.value)


@projector.on(rc.StaffPreferencesSet)
def _staff_preferences_set(env: Envelope[rc.StaffPreferencesSet]) -> None:
    e = env.event
    values = {
        "language": e.language.value if e.language else "",
        "agreements": list(e.agreements),
        "sectors": [s.value for s in e.sectors],
        "changed_at": env.occurred_at,
        "version": env.version,
    }
    updated = StaffPreference.objects.filter(recipient_id=env.stream_id).update(**values)
    if not updated:
        user_id = int(env.stream_id.partition(":")[2])
        StaffPreference.objects.create(recipient_id=env.stream_id, user_id=user_id, **values)
