"""API tokens: making them, recording them through commands, and checking one sent in.

A token reads ``reg_<id>_<secret>``: ``id`` is 12 hex digits (the ``api_token`` stream
id, safe to show and to log), ``secret`` 43 URL-safe characters (256 random bits). Only
the SHA-256 hash of the whole token is recorded; checking compares hashes in constant
time, after looking the token up by its id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets

from projects.api.models import ApiToken
from projects.application import Actor, AppendResult, handle
from projects.domain.access import HolderKind, IssueApiToken, RevokeApiToken

PREFIX = "reg"
_TOKEN = re.compile(rf"{PREFIX}_([0-9a-f]{{12}})_[A-Za-z0-9_-]{{43}}")


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``token`` is the secret, shown once and never stored."""

    token_id: str
    token: str


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest recorded for ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_id_of(token: str) -> str | None:
    """Return the id inside a well-formed token, or None for anything else."""
    match = _TOKEN.fullmatch(token)
    return match.group(1) if match else None


def issue(
    *,
    holder_kind: HolderKind,
    holder_id: str,
    name: str,
    actor: Actor,
    expires_on: dt.date | None = None,
) -> IssuedToken:
    """Issue a token through ``IssueApiToken``; raise the domain's refusal otherwise."""
    token_id = secrets.token_hex(6)
    token = f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    command = IssueApiToken(
        token_id=token_id,
        holder_kind=holder_kind,
        holder_id=holder_id,
        name=name,
        secret_hash=token_hash(token),
        expires_on=expires_on,
    )
    handle(command, actor=actor)
    return IssuedToken(token_id=token_id, token=token)


def revoke(token_id: str, *, reason: str, actor: Actor) -> AppendResult:
    """Revoke a token through ``RevokeApiToken``; raise the domain's refusal otherwise."""
    return handle(RevokeApiToken(token_id=token_id, reason=reason), actor=actor)


def find(token: str) -> ApiToken | None:
    """Return the recorded token whose hash matches ``token`` (revoked or not), else None."""
    token_id = token_id_of(token)
    if token_id is None:
        return None
    record = ApiToken.objects.filter(token_id=token_id).first()
    if record is None or not hmac.compare_digest(record.secret_hash, token_hash(token)):
        return None
    return record
