"""Who acts: the people and processes on whose behalf a command is recorded.

Every command is recorded with its actor (the metadata of its events): a liaison officer
in the admin, a partner organisation's token in the API, a partner's contact answering
a reminder mail, a task of the registry's own, the seed loader or an operator at the
command line. Doors say who acts with one of the constructors below; they never build
event metadata themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.events import ActorKind, Metadata, Source


@dataclass(frozen=True)
class Actor:
    """Who acts (``kind``, ``actor_id``, ``organisation``) and through which door (``source``)."""

    kind: ActorKind
    source: Source
    actor_id: str | None = None
    organisation: str | None = None

    @classmethod
    def officer(cls, user_id: object, *, source: Source = "admin") -> Actor:
        """Return a liaison officer (a staff account) acting in the admin."""
        return cls(kind="staff", source=source, actor_id=str(user_id))

    @classmethod
    def partner(cls, *, token_id: str, organisation: str | None) -> Actor:
        """Return a partner organisation acting through the API with one of its tokens."""
        return cls(
            kind="partner", source="api", actor_id=f"token:{token_id}", organisation=organisation
        )

    @classmethod
    def contact(cls, contact_id: str, *, organisation: str, source: Source = "mail") -> Actor:
        """Return a partner's contact person acting from a link in a mail (by id, never name)."""
        actor_id = f"contact:{contact_id}"
        return cls(kind="partner", source=source, actor_id=actor_id, organisation=organisation)

    @classmethod
    def system(cls, *, source: Source = "task", actor_id: str | None = None) -> Actor:
        """Return the registry itself (a task, an operator's command, a recipient's own link)."""
        return cls(kind="system", source=source, actor_id=actor_id)

    @classmethod
    def seed(cls) -> Actor:
        """Return the seed loader."""
        return cls(kind="seed", source="seed")

    def metadata(
        self,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
        request_digest: str | None = None,
    ) -> Metadata:
        """Return the metadata the events of a command by this actor are recorded with."""
        return Metadata(
            actor_kind=self.kind,
            source=self.source,
            actor_id=self.actor_id,
            organisation=self.organisation,
            reason=reason,
            idempotency_key=idempotency_key,
            request_digest=request_digest,
        )

    @classmethod
    def of(cls, metadata: Metadata) -> Actor:
        """Return the actor recorded in ``metadata``."""
        return cls(
            kind=metadata.actor_kind,
            source=metadata.source,
            actor_id=metadata.actor_id,
            organisation=metadata.organisation,
        )
