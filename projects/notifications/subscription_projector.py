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
from registry.rows import Rows

projector = projections.register(
    projections.Projector(
        name="notifications", models=[Subscription, StaffPreference], stream_local=True
    )
)


def _save_subscription(env: Envelope[Any], rows: Rows, kind: rc.Kind, **values: Any) -> None:
    key = f"{env.stream_id}/{kind.value}"
    changes = {"changed_at": env.occurred_at, "version": env.version, **values}
    if rows.get(Subscription, key) is None:
        rows.insert(Subscription, key=key, recipient_id=env.stream_id, kind=kind.value, **changes)
    else:
        rows.update(Subscription, key, **changes)


@projector.on(rc.Subscribed)
def _subscribed(env: Envelope[rc.Subscribed], rows: Rows) -> None:
    e = env.event
    language = e.language.value if e.language else ""
    _save_subscription(env, rows, e.kind, active=True, language=language, via="")


@projector.on(rc.Unsubscribed)
def _unsubscribed(env: Envelope[rc.Unsubscribed], rows: Rows) -> None:
    e = env.event
    # The language chosen before stays recorded: subscribing again keeps it.
    existing = rows.get(Subscription, f"{env.stream_id}/{e.kind.value}")
    language = existing["language"] if existing else ""
    _save_subscription(env, rows, e.kind, active=False, language=language, via=e.via.value)


@projector.on(rc.ReminderFrequencySet)
def _reminder_frequency_set(env: Envelope[rc.ReminderFrequencySet], rows: Rows) -> None:
    # Choosing a frequency neither subscribes nor unsubscribes: a new row starts active.
    key = f"{env.stream_id}/{rc.Kind.REMINDERS.value}"
    changes: dict[str, Any] = {
        "frequency": env.event.frequency.value,
        "changed_at": env.occurred_at,
        "version": env.version,
    }
    if rows.get(Subscription, key) is None:
        rows.insert(
            Subscription,
            key=key,
            recipient_id=env.stream_id,
            kind=rc.Kind.REMINDERS.value,
            active=True,
            language="",
            via="",
            **changes,
        )
    else:
        rows.update(Subscription, key, **changes)


@projector.on(rc.StaffPreferencesSet)
def _staff_preferences_set(env: Envelope[rc.StaffPreferencesSet], rows: Rows) -> None:
    e = env.event
    values: dict[str, Any] = {
        "language": e.language.value if e.language else "",
        "agreements": list(e.agreements),
        "sectors": [s.value for s in e.sectors],
        "changed_at": env.occurred_at,
        "version": env.version,
    }
    if rows.get(StaffPreference, env.stream_id) is None:
        user_id = int(env.stream_id.partition(":")[2])
        rows.insert(StaffPreference, recipient_id=env.stream_id, user_id=user_id, **values)
    else:
        rows.update(StaffPreference, env.stream_id, **values)
