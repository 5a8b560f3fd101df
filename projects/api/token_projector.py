"""The projector of API tokens: the only code that writes ``projects.api.models.ApiToken``."""

from __future__ import annotations

from projects.api.models import ApiToken
from projects.domain import access
from registry import projections
from registry.events import Envelope
from registry.rows import Rows

projector = projections.register(
    projections.Projector(name="api_tokens", models=[ApiToken], stream_local=True)
)


@projector.on(access.ApiTokenIssued)
def _issued(env: Envelope[access.ApiTokenIssued], rows: Rows) -> None:
    e = env.event
    rows.insert(
        ApiToken,
        token_id=e.token_id,
        holder_kind=e.holder_kind.value,
        holder_id=e.holder_id,
        name=e.name,
        secret_hash=e.secret_hash,
        expires_on=e.expires_on,
        issued_at=env.occurred_at,
        issued_by=env.metadata.actor_id or env.metadata.actor_kind,
        version=env.version,
    )


@projector.on(access.ApiTokenRevoked)
def _revoked(env: Envelope[access.ApiTokenRevoked], rows: Rows) -> None:
    rows.update(
        ApiToken,
        env.stream_id,
        revoked_at=env.occurred_at,
        revoke_reason=env.event.reason,
        version=env.version,
    )
