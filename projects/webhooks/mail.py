"""Telling an organisation's contacts that its webhook was disabled, each in their language."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext

from projects import selectors
from projects.domain.plaintext import neutralise_line
from projects.models import Webhook

logger = logging.getLogger(__name__)


def tell_disabled(hook: Webhook, *, since: dt.datetime) -> int:
    """Mail each contact of the webhook's organisation; return how many mails went out.

    Each mail is sent in its own guard: one address the server refuses does not keep the
    others from being told.
    """
    sent = 0
    for contact in selectors.contact_list(organisations=[hook.organisation_id]):
        try:
            with translation.override(contact.language):
                subject = gettext("Your webhook was disabled: {url}").format(
                    url=neutralise_line(hook.url)[:120]
                )
                body = gettext(
                    "Deliveries to your organisation's webhook {webhook} ({url}) have failed "
                    "since {since} UTC, so the registry has stopped sending to it.\n\n"
                    "Nothing is lost: once your receiver answers again, enable the webhook "
                    "(PATCH /api/v1/webhooks/{webhook}/ with {change}) and the "
                    "events since the first failed delivery are sent, in order.\n"
                ).format(
                    webhook=hook.webhook_id,
                    url=neutralise_line(hook.url),
                    since=since.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
                    change='{"enabled": true}',
                )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])
            sent += 1
        except Exception:  # one refused address must not keep the others from being told
            logger.exception(
                "could not tell contact %s about webhook %s", contact.id, hook.webhook_id
            )
    return sent
