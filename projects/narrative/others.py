"""Sentences for the organisation, agreement, contact, API token and webhook streams."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from projects.domain import access as ac
from projects.domain import agreement as ag
from projects.domain import contact as ct
from projects.domain import organisation as og
from projects.domain import webhook as wh
from projects.domain.plaintext import neutralise_line
from projects.domain.values import Identifier, Period, Signatory
from projects.narrative.core import Context, because, iso, sentence
from projects.narrative.labels import joined, label, labels_text, localised_text

# -- organisations -----------------------------------------------------------------------


def _identifiers(identifiers: tuple[Identifier, ...]) -> str:
    if not identifiers:
        return _("none")
    return joined(f"{i.scheme} {i.id}" for i in identifiers)


@sentence(og.OrganisationRegistered)
def _org_registered(e: og.OrganisationRegistered, c: Context) -> str:
    return _(
        "Organisation “{name}” registered: {type}, jurisdiction {jurisdiction}, "
        "identifiers {identifiers}"
    ).format(
        name=localised_text(e.names),
        type=label(e.org_type),
        jurisdiction=e.jurisdiction,
        identifiers=_identifiers(e.identifiers),
    )


@sentence(og.OrganisationCorrected)
def _org_corrected(e: og.OrganisationCorrected, c: Context) -> str:
    parts = []
    if e.names is not None:
        parts.append(_("name now “{name}”").format(name=localised_text(e.names)))
    if e.org_type is not None:
        parts.append(_("type now {type}").format(type=label(e.org_type)))
    if e.jurisdiction is not None:
        parts.append(_("jurisdiction now {jurisdiction}").format(jurisdiction=e.jurisdiction))
    if e.identifiers is not None:
        parts.append(
            _("identifiers now {identifiers}").format(identifiers=_identifiers(e.identifiers))
        )
    text = _("Organisation details corrected ({changes})").format(changes=joined(parts))
    return because(text, e.reason)


# -- agreements --------------------------------------------------------------------------


def _period(period: Period) -> str:
    if period.end is None:
        return _("from {start}, open-ended").format(start=iso(period.start))
    return _("from {start} to {end}").format(start=iso(period.start), end=iso(period.end))


def _signatory(s: Signatory, c: Context) -> str:
    return _("{person} ({title}, {organisation})").format(
        person=localised_text(s.person),
        title=localised_text(s.title),
        organisation=c.organisation(s.organisation_id),
    )


@sentence(ag.AgreementSigned)
def _signed(e: ag.AgreementSigned, c: Context) -> str:
    return _(
        "Agreement “{title}” signed in {place} on {date} by {signatories}; in force {period}"
    ).format(
        title=localised_text(e.titles),
        place=localised_text(e.signed_place),
        date=iso(e.signed_on),
        signatories=joined(_signatory(s, c) for s in e.signatories),
        period=_period(e.period),
    )


@sentence(ag.AgreementAmended)
def _amended(e: ag.AgreementAmended, c: Context) -> str:
    parts = []
    if e.titles is not None:
        parts.append(_("title now “{title}”").format(title=localised_text(e.titles)))
    if e.period is not None:
        parts.append(_("in force {period}").format(period=_period(e.period)))
    if e.sectors is not None:
        parts.append(_("sectors now {sectors}").format(sectors=labels_text(e.sectors)))
    text = _("Agreement amended on {date} ({changes})").format(
        date=iso(e.amended_on), changes=joined(parts)
    )
    return because(text, e.rationale)


@sentence(ag.AgreementTerminated)
def _terminated(e: ag.AgreementTerminated, c: Context) -> str:
    text = _("Agreement terminated on {date}").format(date=iso(e.terminated_on))
    return because(text, e.reason)


# -- contacts (their names and emails live in the erasable vault, never in events) -------

# A context of their own: "name" here is a person's name, not an organisation's.
_CONTACT_FIELDS = {
    "name": pgettext_lazy("contact detail", "name"),
    "email": pgettext_lazy("contact detail", "email"),
    "language": pgettext_lazy("contact detail", "language"),
    "organisation_id": pgettext_lazy("contact detail", "organisation"),
}


@sentence(ct.ContactRegistered)
def _contact_registered(e: ct.ContactRegistered, c: Context) -> str:
    return _("Contact {contact} of {organisation} registered, writing in {language}").format(
        contact=e.contact_id,
        organisation=c.organisation(e.organisation_id),
        language=label(e.language),
    )


@sentence(ct.ContactChanged)
def _contact_changed(e: ct.ContactChanged, c: Context) -> str:
    fields = joined(str(_CONTACT_FIELDS.get(f, f)) for f in e.fields)
    text = _("Contact {contact} changed: {fields}").format(contact=e.contact_id, fields=fields)
    if e.language is not None:
        text = _("{sentence}; now writing in {language}").format(
            sentence=text, language=label(e.language)
        )
    if e.organisation_id is not None:
        text = _("{sentence}; now with {organisation}").format(
            sentence=text, organisation=c.organisation(e.organisation_id)
        )
    return text


@sentence(ct.ContactErased)
def _contact_erased(e: ct.ContactErased, c: Context) -> str:
    return _("Personal data of contact {contact} erased").format(contact=e.contact_id)


# -- API tokens (projects.domain.access) -----------------------------------------------


@sentence(ac.ApiTokenIssued)
def _token_issued(e: ac.ApiTokenIssued, c: Context) -> str:
    holder = (
        c.organisation(e.holder_id)
        if e.holder_kind is ac.HolderKind.ORGANISATION
        else c.names.person(e.holder_id)
    )
    text = _("API token {token} “{name}” issued to {holder}").format(
        token=e.token_id, name=e.name, holder=holder
    )
    if e.expires_on is not None:
        text = _("{sentence}, refused from {day}").format(sentence=text, day=iso(e.expires_on))
    return text


@sentence(ac.ApiTokenRevoked)
def _token_revoked(e: ac.ApiTokenRevoked, c: Context) -> str:
    return because(_("API token {token} revoked").format(token=e.token_id), e.reason)


# -- webhooks (projects.domain.webhook) ----------------------------------------------------


@sentence(wh.WebhookRegistered)
def _webhook_registered(e: wh.WebhookRegistered, c: Context) -> str:
    return _("Webhook {webhook} registered for {organisation}, sending to {url}").format(
        webhook=e.webhook_id, organisation=c.organisation(e.organisation_id), url=_url(e.url)
    )


@sentence(wh.WebhookChanged)
def _webhook_changed(e: wh.WebhookChanged, c: Context) -> str:
    parts = []
    if e.url is not None:
        parts.append(_("now sending to {url}").format(url=_url(e.url)))
    if e.description is not None:
        parts.append(_("described anew"))
    return _("Webhook {webhook} changed: {changes}").format(
        webhook=e.webhook_id, changes=joined(parts)
    )


@sentence(wh.WebhookDisabled)
def _webhook_disabled(e: wh.WebhookDisabled, c: Context) -> str:
    return because(_("Webhook {webhook} disabled").format(webhook=e.webhook_id), e.reason)


@sentence(wh.WebhookEnabled)
def _webhook_enabled(e: wh.WebhookEnabled, c: Context) -> str:
    return _("Webhook {webhook} enabled again").format(webhook=e.webhook_id)


@sentence(wh.WebhookDeleted)
def _webhook_deleted(e: wh.WebhookDeleted, c: Context) -> str:
    return _("Webhook {webhook} deleted").format(webhook=e.webhook_id)


def _url(url: str) -> str:
    """Return a recorded URL fit for one line of a timeline."""
    return neutralise_line(url)
