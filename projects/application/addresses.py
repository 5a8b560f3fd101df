"""Where a host name leads: the one resolver of webhook URLs (registering and sending)."""

from __future__ import annotations

import socket


def addresses_of(host: str, port: int) -> tuple[str, ...] | None:
    """Return every address ``host`` resolves to (TCP), or None if it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    return addresses or None
