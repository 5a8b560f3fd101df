"""One POST to a webhook, only to an address the registry may reach.

Before connecting, the URL's host is resolved and every address it resolves to is
checked (``projects.domain.webhook.address_allowed``): none may be loopback, private,
link-local, shared, reserved or a metadata address (unless ``WEBHOOK_ALLOW_PRIVATE``).
The connection is then made to the address that was checked, not to the name again (a
second lookup could answer otherwise), with the host name sent for TLS (SNI, certificate
check) and in ``Host``. A redirect is an answer like any other non-2xx: never followed.
The whole exchange has ``WEBHOOK_TIMEOUT`` seconds; at most 64 KB of the answer are read.
"""

from __future__ import annotations

import dataclasses
import http.client
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

from projects.application.addresses import addresses_of
from projects.domain import limits
from projects.domain.webhook import WebhookUrlRefused, address_allowed, url_host


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the answer's status (None: none came) or the error."""

    status: int | None
    error: str
    milliseconds: int

    @property
    def delivered(self) -> bool:
        """Return True for an answer in 2xx."""
        return self.status is not None and 200 <= self.status < 300


class Refused(Exception):
    """The URL leads somewhere the registry does not send to."""


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the host name for SNI and the certificate."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        """Connect to the checked address, then speak TLS as ``host``."""
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    """Plain HTTP to a checked address (only with ``WEBHOOK_ALLOW_PRIVATE``)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        """Connect to the checked address."""
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def checked_address(url: str) -> tuple[str, str, int, str]:
    """Return the URL's scheme, host, port and an address to connect to; raise Refused."""
    allow_private = bool(settings.WEBHOOK_ALLOW_PRIVATE)
    try:
        scheme, host, port = url_host(url)
    except WebhookUrlRefused as error:
        raise Refused(error.message) from None
    if scheme != "https" and not allow_private:
        raise Refused(f"{scheme}:// is not sent to; only https://")
    addresses = addresses_of(host, port)
    if not addresses:
        raise Refused(f"{host} does not resolve")
    refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
    if refused:
        raise Refused(f"{host} resolves to {refused[0]}, which is not a public address")
    return scheme, host, port, addresses[0]


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url`` with ``headers``; never raise for what the network does."""
    started = time.monotonic()

    def outcome(status: int | None, error: str = "") -> Outcome:
        return Outcome(status, error[:500], int((time.monotonic() - started) * 1000))

    if len(body) > limits.WEBHOOK_BODY_BYTES:
        return outcome(None, f"body of {len(body)} bytes is over {limits.WEBHOOK_BODY_BYTES}")
    try:
        scheme, host, port, address = checked_address(url)
    except Refused as refused:
        return outcome(None, f"refused: {refused}")
    pinned = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = pinned(host, port, address, settings.WEBHOOK_TIMEOUT)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(limits.WEBHOOK_BODY_BYTES)  # read (a little of) it, so the exchange ends
        return outcome(answer.status)
    except (OSError, http.client.HTTPException, ssl.SSLError, ValueError) as error:
        return outcome(None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()
