"""Sentences for the recipient and following streams: who receives which mail, and what
officers follow (agreements and sectors; their own projects, "My projects")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.domain import following as fo
from projects.domain import recipient as rc
from projects.domain.contact import Language
from projects.narrative.core import Context, sentence
from projects.narrative.labels import joined, label, labels_text


def _who(recipient_id: str, c: Context) -> str:
    kind, _sep, ref = recipient_id.partition(":")
    if kind == "staff":
        return c.names.person(ref)
    return _("Contact {contact}").format(contact=ref)


def _kind(kind: rc.Kind) -> str:
    return _("milestone reminders") if kind is rc.Kind.REMINDERS else _("the weekly digest")


def _language(language: Language | None) -> str:
    return label(language) if language is not None else _("their own language")


@sentence(rc.Subscribed)
def _subscribed(e: rc.Subscribed, c: Context) -> str:
    return _("{recipient} receives {kind}, in {language}").format(
        recipient=_who(e.recipient_id, c), kind=_kind(e.kind), language=_language(e.language)
    )


@sentence(rc.Unsubscribed)
def _unsubscribed(e: rc.Unsubscribed, c: Context) -> str:
    if e.via is rc.Via.LINK:
        template = _("{recipient} unsubscribed from {kind} through the link in a mail")
    else:
        template = _("{recipient} no longer receives {kind}")
    return template.format(recipient=_who(e.recipient_id, c), kind=_kind(e.kind))


@sentence(rc.StaffPreferencesSet)
def _staff_preferences(e: rc.StaffPreferencesSet, c: Context) -> str:
    followed = [*e.agreements, labels_text(e.sectors)] if e.sectors else [*e.agreements]
    return _("{recipient} follows {followed}, writing in {language}").format(
        recipient=_who(e.recipient_id, c),
        followed=joined(followed) if followed else _("every project"),
        language=_language(e.language),
    )


@sentence(fo.ProjectFollowed)
def _project_followed(e: fo.ProjectFollowed, c: Context) -> str:
    return _("{officer} follows project {code}").format(
        officer=_who(e.officer, c), code=e.project_code
    )


@sentence(fo.ProjectUnfollowed)
def _project_unfollowed(e: fo.ProjectUnfollowed, c: Context) -> str:
    return _("{officer} no longer follows project {code}").format(
        officer=_who(e.officer, c), code=e.project_code
    )


@sentence(fo.DigestScopeChosen)
def _digest_scope_chosen(e: fo.DigestScopeChosen, c: Context) -> str:
    if e.followed_only:
        template = _("{officer}'s weekly digest covers only the projects followed")
    else:
        template = _("{officer}'s weekly digest covers everything followed again")
    return template.format(officer=_who(e.officer, c))


@sentence(rc.ReminderFrequencySet)
def _reminder_frequency(e: rc.ReminderFrequencySet, c: Context) -> str:
    if e.frequency is rc.Frequency.WEEKLY:
        template = _("{recipient} receives reminder mail at most once a week")
    else:
        template = _("{recipient} receives reminder mail at most once a day")
    return template.format(recipient=_who(e.recipient_id, c))
