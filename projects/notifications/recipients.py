"""Who receives mail: partner contacts and liaison staff, with their subscriptions.

Partner contacts come from the contact vault (not erased, with an address). Liaison
staff are active Django users with admin access (``is_staff``), an address, and the
permission to view or change projects; users without admin access (a partner's API
user, say) are not liaison staff and receive nothing from here. Everyone receives both
kinds of mail, in their own language, reminders at most daily, until a ``recipient``
event says otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db.models import Q, QuerySet

from projects import selectors
from projects.domain.recipient import Frequency, Kind
from projects.models import Contact, Following, Project
from projects.notifications.models import StaffPreference, Subscription

STAFF_PERMISSIONS = ("view_project", "change_project")


@dataclasses.dataclass(frozen=True)
class Recipient:
    """A person mail can go to, with what they receive and see."""

    recipient_id: str  # "contact:<id>" or "staff:<user id>"
    name: str
    email: str
    language: str  # their own: the contact's, or the officer's preference
    organisation_id: str | None = None  # a contact's organisation
    contact_id: str | None = None
    user_id: int | None = None
    agreements: tuple[str, ...] = ()  # followed by an officer (none: all)
    sectors: tuple[str, ...] = ()
    # kind -> (subscribed, language chosen for it or "")
    subscriptions: tuple[tuple[str, bool, str], ...] = ()
    reminder_frequency: Frequency = Frequency.DAILY
    # "My projects": an officer who chose a digest of the projects followed, and those.
    projects: tuple[str, ...] | None = None

    @property
    def is_staff(self) -> bool:
        """Return True for a liaison officer."""
        return self.user_id is not None

    def receives(self, kind: Kind) -> bool:
        """Return whether this person is subscribed to ``kind`` (yes, unless unsubscribed)."""
        return next((on for k, on, _lang in self.subscriptions if k == kind.value), True)

    @property
    def reminders_on(self) -> bool:
        """Return whether milestone reminders are received (for templates)."""
        return self.receives(Kind.REMINDERS)

    @property
    def digest_on(self) -> bool:
        """Return whether the weekly digest is received (for templates)."""
        return self.receives(Kind.DIGEST)

    def language_for(self, kind: Kind) -> str:
        """Return the language ``kind`` is written in for this person."""
        chosen = next((lang for k, _on, lang in self.subscriptions if k == kind.value), "")
        return chosen or self.language

    def follows(self, project: Project) -> bool:
        """Return whether an officer follows ``project`` (contacts: see ``scope``)."""
        if not self.agreements and not self.sectors:
            return True
        return project.agreement_id in self.agreements or project.sector in self.sectors

    def scope(self) -> QuerySet[Project]:
        """Return the projects this person may read about."""
        if self.projects is not None:
            return selectors.project_scope(codes=self.projects)
        if self.organisation_id is not None:
            return selectors.project_scope(organisation=self.organisation_id)
        return selectors.project_scope(agreements=self.agreements, sectors=self.sectors)


def staff_users(*, email: str | None = None) -> QuerySet[AbstractBaseUser]:
    """Return the liaison officers mail can go to."""
    permissions = Permission.objects.filter(
        content_type__app_label="projects", codename__in=STAFF_PERMISSIONS
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permissions)
            | Q(groups__permissions__in=permissions)
        )
        .distinct()
    )
    if email is not None:
        users = users.filter(email__iexact=email)
    return users.order_by("pk")


@dataclasses.dataclass(frozen=True)
class _Chosen:
    """What a recipient's subscription rows record."""

    subscriptions: tuple[tuple[str, bool, str], ...] = ()
    reminder_frequency: Frequency = Frequency.DAILY


def _subscriptions(ids: Iterable[str]) -> dict[str, _Chosen]:
    found: dict[str, list[tuple[str, bool, str]]] = {}
    frequencies: dict[str, Frequency] = {}
    rows = Subscription.objects.filter(recipient_id__in=list(ids))
    for recipient_id, kind, active, language, frequency in rows.values_list(
        "recipient_id", "kind", "active", "language", "frequency"
    ):
        found.setdefault(recipient_id, []).append((kind, active, language))
        if kind == Kind.REMINDERS.value:
            frequencies[recipient_id] = Frequency(frequency)
    return {
        key: _Chosen(tuple(value), frequencies.get(key, Frequency.DAILY))
        for key, value in found.items()
    }


def _contact(row: Contact, chosen: dict[str, _Chosen]) -> Recipient:
    recipient_id = f"contact:{row.id}"
    own = chosen.get(recipient_id, _Chosen())
    return Recipient(
        recipient_id=recipient_id,
        name=row.name,
        email=row.email,
        language=row.language,
        organisation_id=row.organisation_id,
        contact_id=row.id,
        subscriptions=own.subscriptions,
        reminder_frequency=own.reminder_frequency,
    )


def _officer(
    user: AbstractBaseUser,
    preference: StaffPreference | None,
    chosen: dict[str, _Chosen],
    following: Following | None = None,
) -> Recipient:
    recipient_id = f"staff:{user.pk}"
    own = chosen.get(recipient_id, _Chosen())
    only_followed = following is not None and following.digest_followed_only
    return Recipient(
        recipient_id=recipient_id,
        name=user.get_full_name() or user.get_username(),  # type: ignore[attr-defined]
        email=user.email,  # type: ignore[attr-defined]
        language=(preference.language if preference else "") or settings.LANGUAGE_CODE,
        user_id=user.pk,
        agreements=tuple(preference.agreements) if preference else (),
        sectors=tuple(preference.sectors) if preference else (),
        subscriptions=own.subscriptions,
        reminder_frequency=own.reminder_frequency,
        projects=tuple(following.projects) if following and only_followed else None,
    )


def recipient_list(*, email: str | None = None) -> list[Recipient]:
    """Return every contact and officer mail can go to (or those with ``email``)."""
    contacts = list(selectors.contact_list(email=email))
    users = list(staff_users(email=email))
    preferences = {
        p.user_id: p for p in StaffPreference.objects.filter(user_id__in=[u.pk for u in users])
    }
    ids = [f"contact:{c.id}" for c in contacts] + [f"staff:{u.pk}" for u in users]
    subscriptions = _subscriptions(ids)
    followings = selectors.followings(u.pk for u in users)
    return [_contact(c, subscriptions) for c in contacts] + [
        _officer(u, preferences.get(u.pk), subscriptions, followings.get(u.pk)) for u in users
    ]


def recipient_get(recipient_id: str) -> Recipient | None:
    """Return one recipient by id, or None if mail cannot go to them."""
    kind, _sep, ref = recipient_id.partition(":")
    subscriptions = _subscriptions([recipient_id])
    if kind == "contact":
        contact = selectors.contact_list().filter(id=ref).first()
        return _contact(contact, subscriptions) if contact else None
    if kind == "staff" and ref.isdigit():
        user = staff_users().filter(pk=int(ref)).first()
        preference = StaffPreference.objects.filter(user_id=int(ref)).first()
        following = selectors.followings([int(ref)]).get(int(ref))
        return _officer(user, preference, subscriptions, following) if user else None
    return None
