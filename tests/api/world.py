"""A small registry for the API tests, built through commands as the doors build it.

Three projects under the mechanism agreement: ``AI`` with ITIB and DeepSeek (DeepSeek
responsible for M1), ``ROBOTICS`` with ITIB and Unitree (Unitree responsible for M1)
and ``TRADE`` with ITIB alone. Tokens: one per partner, a liaison officer's, an expired
one and a revoked one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib.auth.models import Permission, User

from projects.api import tokens
from projects.application import Actor
from projects.domain import AddParty, PartyRole, Sector
from projects.domain.access import HolderKind, IssueApiToken
from registry.events import Metadata
from tests.projects import builders

AI = builders.PROJECT
ROBOTICS = "HKZJ-2025-RB-01"
TRADE = "HKZJ-2025-TR-01"
CLI = Metadata(actor_kind="system", source="cli", actor_id="cli:test")


@dataclasses.dataclass(frozen=True)
class World:
    """The tokens of the API tests' callers, and the staff account's name."""

    deepseek: str
    unitree: str
    staff: str
    expired: str
    revoked: str
    officer: str = "officer"


def _partner_project(code: str, sector: Sector, partner: str | None) -> None:
    builders.register_project(code, sector=sector)
    builders.run(AddParty(code, "hk-itib", (PartyRole.LEAD, PartyRole.FUNDING)))
    if partner is not None:
        builders.run(AddParty(code, partner, (PartyRole.IMPLEMENTING,)))
        builders.schedule(code=code, responsible=partner)


def _expired_token() -> str:
    """Issue a token that expired long ago (issued "today" in 2025, expiring the next day)."""
    token_id = "e0e0e0e0e0e0"
    token = f"reg_{token_id}_{'x' * 43}"
    builders.execute(
        IssueApiToken(
            token_id=token_id,
            holder_kind=HolderKind.ORGANISATION,
            holder_id="deepseek",
            name="expired",
            secret_hash=tokens.token_hash(token),
            expires_on=dt.date(2025, 1, 2),
        ),
        metadata=CLI,
        today=dt.date(2025, 1, 1),
    )
    return token


def build() -> World:
    """Register organisations, agreement, the three projects, the officer and the tokens."""
    builders.register_founders()
    _partner_project(AI, Sector.ARTIFICIAL_INTELLIGENCE, "deepseek")
    _partner_project(ROBOTICS, Sector.ROBOTICS, "unitree")
    _partner_project(TRADE, Sector.TRADE, None)
    officer = User.objects.create_user("officer", password="a-long-password", is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="view_project"))

    def issue(kind: HolderKind, holder: str, name: str) -> str:
        return tokens.issue(
            holder_kind=kind, holder_id=holder, name=name, actor=Actor.of(CLI)
        ).token

    revoked = tokens.issue(
        holder_kind=HolderKind.ORGANISATION, holder_id="deepseek", name="old", actor=Actor.of(CLI)
    )
    tokens.revoke(revoked.token_id, reason="Leaked in a log", actor=Actor.of(CLI))
    return World(
        deepseek=issue(HolderKind.ORGANISATION, "deepseek", "DeepSeek ERP"),
        unitree=issue(HolderKind.ORGANISATION, "unitree", "Unitree ERP"),
        staff=issue(HolderKind.STAFF, str(officer.pk), "Officer's scripts"),
        expired=_expired_token(),
        revoked=revoked.token,
    )
