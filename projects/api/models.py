"""The API's tables: the token read model, and the operational record of last use.

``ApiToken`` is a projection of the ``api_token`` stream (``projects.domain.access``),
written only by ``projects.api.projections``.

``ApiTokenUse`` is not a projection and not an event: the time a token was last used
changes on every request, says nothing about cooperation, and recording it in the log
would turn every read into a write to the hash chain. It is a plain operational table,
written by the authentication class (at most once a minute per token), which a rebuild
of the read models leaves alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.domain.access import HolderKind
from projects.domain.limits import TOKEN_NAME_LENGTH
from registry.readmodels import ReadModel

HOLDER_KINDS = [
    (HolderKind.ORGANISATION.value, _("Partner organisation")),
    (HolderKind.STAFF.value, _("Staff account")),
]


class ApiToken(ReadModel):
    """An API token as the log records it: never its secret, only the secret's hash."""

    token_id = models.CharField(_("token id"), max_length=12, primary_key=True)
    holder_kind = models.CharField(_("holder"), max_length=20, choices=HOLDER_KINDS)
    # An organisation id or a staff user's primary key, as text (no foreign key: a
    # rebuild replays tokens and organisations in log order, not table order).
    holder_id = models.CharField(_("holder id"), max_length=64, db_index=True)
    name = models.CharField(_("name"), max_length=TOKEN_NAME_LENGTH)
    secret_hash = models.CharField(_("SHA-256 of the token"), max_length=64)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.CharField(_("issued by"), max_length=100, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    version = models.PositiveIntegerField(_("version"))

    # Checked on the primary only: a token revoked a moment ago must stop at once, and
    # one issued a moment ago must work at once (registry.routing).
    replica_readable = False

    class Meta:
        ordering = ["-issued_at", "token_id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.token_id} — {self.name} ({self.holder_kind} {self.holder_id})"

    def is_usable(self, today: dt.date) -> bool:
        """Return True unless the token is revoked or expired on ``today``."""
        return self.revoked_at is None and (self.expires_on is None or today < self.expires_on)


class ApiTokenUse(models.Model):
    """When a token was last used: operational, not an event (see the module docstring)."""

    token_id = models.CharField(max_length=12, primary_key=True)
    last_used_at = models.DateTimeField(_("last used at"))

    class Meta:
        verbose_name = _("API token use")
        verbose_name_plural = _("API token uses")

    def __str__(self) -> str:
        return f"{self.token_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
