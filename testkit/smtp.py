"""A real SMTP server (aiosmtpd) in a thread, keeping what it accepts as a mail client reads it.

Used by the tests and by ``bench/digests.py``. ``refuse`` makes it answer RCPT for an
address with a reply of our choosing (``451 …`` to try later, ``550 …`` for never);
``hold`` makes it keep the first DATA waiting without ever accepting it, as a server
does when the client dies mid-send; ``gate`` holds every DATA until the test opens it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

HOLD_SECONDS = 60.0

# aiosmtpd logs every SMTP command at INFO; the tests need only its warnings.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Inbox:
    """An aiosmtpd handler keeping every accepted message, parsed with the default policy."""

    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep
        self.messages: list[EmailMessage] = []
        self.count = 0
        self.refuse: dict[str, str] = {}
        self.hold = False
        self.holding = threading.Event()
        # While set, DATA waits until the gate opens; ``waiting`` counts the sessions held.
        self.gate: threading.Event | None = None
        self.waiting = 0
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """Accept the recipient unless told to refuse it."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message (or, once, hold it and never accept it)."""
        if self.hold:
            self.hold = False
            self.holding.set()
            await asyncio.sleep(HOLD_SECONDS)  # the client is killed meanwhile
            return "451 4.3.0 held and dropped"
        if self.gate is not None and not self.gate.is_set():
            with self._lock:
                self.waiting += 1
            while not self.gate.is_set():
                await asyncio.sleep(0.01)
        with self._lock:
            self.count += 1
            if self.keep:
                message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
                self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages whose To header names ``address``."""
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server(
    inbox: Inbox | None = None, *, port: int | None = None
) -> Iterator[tuple[Inbox, int]]:
    """Run an SMTP server on 127.0.0.1 (on ``port``, or a free one) for the duration;
    yield its inbox and port."""
    inbox = inbox or Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def send_mail_to(settings: Any, port: int) -> None:
    """Point Django's mail at the SMTP server on ``port`` (``settings``: pytest-django's)."""
    for name, value in email_settings(port).items():
        setattr(settings, name, value)


def email_settings(port: int) -> dict[str, Any]:
    """Return the Django settings that send mail to the server on ``port``."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }
