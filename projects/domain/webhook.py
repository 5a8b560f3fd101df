"""Webhook aggregate: where a partner organisation wants the events it may see pushed.

Stream type ``webhook``; the stream id is the webhook's public id (16 lowercase hex
digits). Registering, changing, disabling, enabling and deleting are events, so the
ledger says who pointed the registry at which address, and when. The signing secret never
enters an event: it lives in a vault beside the log (``projects.application.webhooks``).

Where a webhook may point is a rule of the domain: ``https://`` only (``http://`` too
when the context allows private addresses, for a receiver on the developer's machine),
no user name or password in the URL, and every address the host resolves to public:
never loopback, private, link-local, shared, reserved or a cloud's metadata address.
:func:`address_allowed` is the same judge the sender asks again before each connection
(a name may resolve elsewhere by then).

``decide(state, command, context)`` takes a :class:`WebhookContext` with ``today``,
``organisations`` (the registered ones among those the command names), ``webhooks``
(how many live webhooks the organisation has), ``allow_private`` and ``addresses`` (what
the URL's host resolved to; None when it could not be resolved).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from projects.domain import limits
from projects.domain.checks import require_reason
from projects.domain.decider import Decider
from projects.domain.errors import DomainError, InvalidValue, NothingToChange, UnknownOrganisation
from projects.domain.plaintext import single_line
from projects.domain.text import Phrase, _
from projects.domain.values import OrganisationId, Reason
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "webhook"

WebhookUrl = Annotated[
    str,
    single_line(_("webhook URL")),
    limits.MaxLength(limits.WEBHOOK_URL_LENGTH, Phrase(_("webhook URL"))),
]
WebhookDescription = Annotated[
    str,
    single_line(_("webhook description")),
    limits.MaxLength(limits.WEBHOOK_DESCRIPTION_LENGTH, Phrase(_("webhook description"))),
]

_WEBHOOK_ID = re.compile(r"[0-9a-f]{16}")
# Cloud metadata services that are not in a private, link-local or reserved range.
_METADATA = frozenset(
    {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
)


# -- errors ------------------------------------------------------------------------------


class WebhookNotFound(DomainError):
    """No webhook with this id, or it was deleted, or it is another organisation's."""


class WebhookAlreadyRegistered(DomainError):
    """A webhook id is taken (ids are never reused)."""


class WebhookUrlRefused(InvalidValue):
    """A webhook URL is not an https:// URL the registry may send to."""


class WebhookAddressRefused(DomainError):
    """A webhook's host is, or resolves to, an address the registry never sends to."""


class TooManyWebhooks(DomainError):
    """An organisation has as many webhooks as it may have."""


class WebhookNotDisabled(DomainError):
    """Only a disabled webhook can be enabled again."""


# -- the address rule ---------------------------------------------------------------------


def address_allowed(address: str, *, allow_private: bool = False) -> bool:
    """Return whether the registry may connect to ``address`` (an IPv4 or IPv6 literal)."""
    if allow_private:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and ip not in _METADATA


def url_host(url: str) -> tuple[str, str, int]:
    """Return a webhook URL's scheme, host (no brackets) and port; raise WebhookUrlRefused."""
    refusal = WebhookUrlRefused(
        _("'{url}' is not a webhook URL: give an absolute https:// URL with a host name."),
        field="url",
        url=url,
    )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refusal from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise refusal
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise WebhookUrlRefused(
            _("A webhook URL may hold no user name, password or fragment."), field="url"
        )
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


# -- commands and events -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class WebhookContext:
    """What the webhook decider needs from elsewhere."""

    today: dt.date
    organisations: frozenset[str] = frozenset()
    webhooks: int = 0
    allow_private: bool = False
    addresses: tuple[str, ...] | None = ()


@dataclasses.dataclass(frozen=True)
class WebhookCommand(Value):
    """Base of the webhook commands; ``webhook_id`` is the stream id."""

    webhook_id: str

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.webhook_id


@dataclasses.dataclass(frozen=True)
class RegisterWebhook(WebhookCommand):
    """Send the events an organisation may see to a URL of its own, signed."""

    organisation_id: OrganisationId
    url: WebhookUrl
    description: WebhookDescription = ""


@dataclasses.dataclass(frozen=True)
class ChangeWebhook(WebhookCommand):
    """Point a webhook elsewhere, or describe it anew (None: unchanged)."""

    organisation_id: OrganisationId
    url: WebhookUrl | None = None
    description: WebhookDescription | None = None


@dataclasses.dataclass(frozen=True)
class DisableWebhook(WebhookCommand):
    """Stop sending to a webhook (it failed for too long), saying why."""

    reason: Reason


@dataclasses.dataclass(frozen=True)
class EnableWebhook(WebhookCommand):
    """Send to a disabled webhook again, from where its deliveries stopped."""

    organisation_id: OrganisationId


@dataclasses.dataclass(frozen=True)
class DeleteWebhook(WebhookCommand):
    """Stop sending to a webhook for good."""

    organisation_id: OrganisationId


@dataclasses.dataclass(frozen=True)
class WebhookRegistered(Event):
    """A webhook was registered; its secret is in the vault, never here."""

    webhook_id: str
    organisation_id: OrganisationId
    url: WebhookUrl
    description: WebhookDescription


@dataclasses.dataclass(frozen=True)
class WebhookChanged(Event):
    """A webhook's URL or description changed (None: unchanged)."""

    webhook_id: str
    url: WebhookUrl | None = None
    description: WebhookDescription | None = None


@dataclasses.dataclass(frozen=True)
class WebhookDisabled(Event):
    """A webhook was disabled: nothing is sent to it until it is enabled."""

    webhook_id: str
    reason: Reason


@dataclasses.dataclass(frozen=True)
class WebhookEnabled(Event):
    """A disabled webhook was enabled again."""

    webhook_id: str


@dataclasses.dataclass(frozen=True)
class WebhookDeleted(Event):
    """A webhook was deleted: nothing is sent to it any more."""

    webhook_id: str


@dataclasses.dataclass(frozen=True)
class State:
    """What the log knows of one webhook."""

    webhook_id: str
    organisation_id: str
    url: str
    description: str
    disabled: bool = False
    deleted: bool = False


# -- decide ------------------------------------------------------------------------------


def decide(state: State | None, command: WebhookCommand, context: WebhookContext) -> list[Event]:
    """Return the events that carry out ``command``, or raise a DomainError."""
    if isinstance(command, RegisterWebhook):
        return _register(state, command, context)
    live = _live(state, command, context)
    match command:
        case ChangeWebhook():
            if command.url is not None:
                _check_url(command.url, context)
            url = command.url if command.url != live.url else None
            description = command.description
            description = description.strip() if description is not None else None
            description = description if description != live.description else None
            if url is None and description is None:
                raise NothingToChange(_("The change names nothing new about the webhook."))
            return [WebhookChanged(live.webhook_id, url, description)]
        case DisableWebhook():
            reason = require_reason(command.reason, to=Phrase(_("disable a webhook")))
            return [WebhookDisabled(live.webhook_id, reason)] if not live.disabled else []
        case EnableWebhook():
            if not live.disabled:
                raise WebhookNotDisabled(
                    _("Webhook {webhook} is not disabled."),
                    field="enabled",
                    webhook=live.webhook_id,
                )
            _check_url(live.url, context)
            return [WebhookEnabled(live.webhook_id)]
        case DeleteWebhook():
            return [WebhookDeleted(live.webhook_id)]
    raise TypeError(f"not a webhook command: {type(command).__name__}")


def _register(
    state: State | None, command: RegisterWebhook, context: WebhookContext
) -> list[Event]:
    if state is not None:
        raise WebhookAlreadyRegistered(
            _("A webhook with id {webhook} was already registered."),
            field="webhook_id",
            webhook=command.webhook_id,
        )
    if not _WEBHOOK_ID.fullmatch(command.webhook_id):
        raise InvalidValue(
            _("'{webhook}' is not a webhook id: use 16 lowercase hexadecimal digits."),
            field="webhook_id",
            webhook=command.webhook_id,
        )
    if command.organisation_id not in context.organisations:
        raise UnknownOrganisation(
            _("Organisation '{organisation_id}' is not registered."),
            field="organisation_id",
            organisation_id=command.organisation_id,
        )
    if context.webhooks >= limits.MAX_WEBHOOKS:
        raise TooManyWebhooks(
            _("An organisation may have at most {limit} webhooks; delete one first."),
            limit=limits.MAX_WEBHOOKS,
        )
    _check_url(command.url, context)
    url = command.url
    return [
        WebhookRegistered(
            command.webhook_id, command.organisation_id, url, command.description.strip()
        )
    ]


def _live(state: State | None, command: WebhookCommand, context: WebhookContext) -> State:
    """Return the webhook's state if it exists, is not deleted and (when named) is theirs."""
    owner = getattr(command, "organisation_id", None)
    if state is None or state.deleted or (owner is not None and owner != state.organisation_id):
        # Another organisation's webhook is as unknown to the caller as a missing one.
        raise WebhookNotFound(
            _("Webhook {webhook} was not found."), field="webhook_id", webhook=command.webhook_id
        )
    return state


def _check_url(url: str, context: WebhookContext) -> None:
    scheme, host, _port = url_host(url)
    if scheme != "https" and not context.allow_private:
        raise WebhookUrlRefused(
            _("A webhook URL must start with https://, not {scheme}://."),
            field="url",
            scheme=scheme,
        )
    if context.allow_private:
        return
    if context.addresses is None:
        raise WebhookAddressRefused(
            _("The host {host} of the webhook URL could not be resolved."), field="url", host=host
        )
    for address in (host, *context.addresses):
        literal = _literal(address)
        if literal is not None and not address_allowed(literal):
            raise WebhookAddressRefused(
                _(
                    "The webhook URL leads to {address}, a loopback, private, link-local or "
                    "metadata address; the registry sends only to public addresses."
                ),
                field="url",
                address=literal,
            )


def _literal(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return None


# -- evolve ------------------------------------------------------------------------------


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    match event:
        case WebhookRegistered():
            return State(event.webhook_id, event.organisation_id, event.url, event.description)
        case WebhookChanged() if state is not None:
            return dataclasses.replace(
                state,
                url=event.url if event.url is not None else state.url,
                description=event.description
                if event.description is not None
                else state.description,
            )
        case WebhookDisabled() if state is not None:
            return dataclasses.replace(state, disabled=True)
        case WebhookEnabled() if state is not None:
            return dataclasses.replace(state, disabled=False)
        case WebhookDeleted() if state is not None:
            return dataclasses.replace(state, deleted=True)
    raise TypeError(f"cannot apply {type(event).__name__} to webhook state {state!r}")


DECIDER: Decider[State, WebhookCommand, WebhookContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=WebhookCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
