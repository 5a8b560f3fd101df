"""An independent check of a webhook's signature: hmac and base64 by hand, as a partner would."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Return True if ``webhook-signature`` signs ``webhook-id.webhook-timestamp.body``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(given, f"v1,{expected}")
        for given in headers["webhook-signature"].split()
    )
