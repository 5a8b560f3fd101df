"""One-click unsubscribe: a signed link that needs no login (RFC 8058).

Every mail carries ``List-Unsubscribe: <URL>`` and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``. A mail provider unsubscribes by POSTing to that URL; a
person opening it gets a page asking to confirm, because link checkers and previews
fetch URLs with GET and must not unsubscribe anyone. The token names the recipient by
id, the kind of mail and the language to answer in, signed with ``SECRET_KEY``; it does
not expire, so the link in an old mail keeps working. Unsubscribing appends an
``Unsubscribed`` event (``via=link``, ``source=mail``); doing it twice changes nothing.

The page of a reminders link also offers the choice between at most one reminder mail a
day and one a week: a form posting ``frequency`` (``daily`` or ``weekly``) appends a
``ReminderFrequencySet`` event instead, and the recipient stays subscribed.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from projects.application import Actor, handle
from projects.domain.errors import DomainError, NothingToChange
from projects.domain.recipient import (
    Frequency,
    Kind,
    RecipientCommand,
    SetReminderFrequency,
    Unsubscribe,
    Via,
    is_staff,
)
from projects.i18n import error_message
from projects.notifications.models import Subscription

SALT = "projects.notifications.unsubscribe"
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclasses.dataclass(frozen=True)
class Link:
    """What an unsubscribe link stands for."""

    recipient_id: str
    kind: Kind
    language: str


def unsubscribe_token(recipient_id: str, kind: Kind, language: str) -> str:
    """Return the signed token of an unsubscribe link."""
    return signing.dumps([recipient_id, kind.value, language], salt=SALT)


def read_token(token: str) -> Link | None:
    """Return what a token stands for, or None if it is not one we signed."""
    try:
        recipient_id, kind, language = signing.loads(token, salt=SALT)
        return Link(str(recipient_id), Kind(kind), language if language in LANGUAGES else "en")
    except (signing.BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(recipient_id: str, kind: Kind, language: str) -> str:
    """Return the absolute URL of the unsubscribe link for one recipient and kind."""
    token = unsubscribe_token(recipient_id, kind, language)
    path = reverse("notifications:unsubscribe", args=[token])
    return settings.SITE_URL.rstrip("/") + path


REASON = "One-click unsubscribe link in a mail"
FREQUENCY_REASON = "Chosen on the page of the unsubscribe link in a mail"


def _actor(recipient_id: str) -> Actor:
    if is_staff(recipient_id):
        return Actor(kind="staff", source="mail", actor_id=recipient_id.partition(":")[2])
    return Actor(kind="partner", source="mail", actor_id=recipient_id)


def _page(request: HttpRequest, context: dict[str, object], *, status: int = 200) -> HttpResponse:
    response = render(request, "notifications/unsubscribe.html", context, status=status)
    response["Content-Language"] = translation.get_language()
    return response


def _frequency(recipient_id: str) -> str:
    """Return how often reminder mail may come to ``recipient_id`` (daily unless chosen)."""
    row = Subscription.objects.filter(key=f"{recipient_id}/{Kind.REMINDERS.value}").first()
    return row.frequency if row is not None else Frequency.DAILY.value


def _asked(link: Link, request: HttpRequest) -> tuple[RecipientCommand, str] | None:
    """Return the command a POST asks for and the page it ends on (None: not a choice)."""
    wanted = request.POST.get("frequency")
    if wanted is None:  # the one-click POST (RFC 8058), or the page's unsubscribe button
        return Unsubscribe(link.recipient_id, link.kind, Via.LINK), "done"
    if link.kind is not Kind.REMINDERS or wanted not in {f.value for f in Frequency}:
        return None
    return SetReminderFrequency(link.recipient_id, Frequency(wanted)), "frequency"


@csrf_exempt  # mail providers POST without a session; the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Ask to confirm (GET), or unsubscribe or choose how often (POST), in their language."""
    link = read_token(token)
    if link is None:
        return _page(request, {"state": "invalid"}, status=400)
    with translation.override(link.language):
        context: dict[str, object] = {"kind": link.kind.value}
        if link.kind is Kind.REMINDERS:
            context["frequency"] = _frequency(link.recipient_id)
        if request.method == "GET":
            return _page(request, {**context, "state": "confirm"})
        asked = _asked(link, request)
        if asked is None:
            return _page(request, {**context, "state": "confirm", "bad_choice": True}, status=400)
        command, state = asked
        reason = FREQUENCY_REASON if isinstance(command, SetReminderFrequency) else REASON
        try:
            handle(command, actor=_actor(link.recipient_id), reason=reason)
        except NothingToChange:
            pass  # already so: the same confirmation
        except DomainError as err:
            return _page(
                request, {**context, "state": "gone", "error": error_message(err)}, status=410
            )
        if isinstance(command, SetReminderFrequency):
            context["frequency"] = command.frequency.value
        return _page(request, {**context, "state": state})
