"""Who is calling: a bearer token in the ``Authorization`` header (or, for the calendar
only, in the query string), checked against the token read model.

The caller becomes ``request.user``: a :class:`Caller` saying which organisation it
speaks for (a partner) or which staff account (a liaison officer).
"""

from __future__ import annotations

import dataclasses
import re
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.cache import cache as shared_cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from projects.api import cache, tokens
from projects.api.models import ApiToken, ApiTokenUse
from projects.domain.access import HolderKind

# Last use is written at most once a minute per token, so reads stay reads.
USE_RECORD_INTERVAL = 60


@dataclasses.dataclass(frozen=True)
class Caller:
    """An authenticated API caller: a partner organisation or a staff account."""

    token_id: str
    organisation_id: str | None = None
    user: AbstractBaseUser | None = None
    # Whether the staff account may view projects in the admin: read with the account, in
    # the same query, once per request (``staff_account``), never asked of the database again.
    staff_may_view: bool = False

    is_authenticated = True
    is_anonymous = False

    def get_username(self) -> str:
        """Return who is calling, for logs: the token and whom it speaks for."""
        holder = self.organisation_id or (self.user.get_username() if self.user else "?")
        return f"api-token:{self.token_id} ({holder})"

    @property
    def is_partner(self) -> bool:
        """Return True for a partner organisation's token."""
        return self.organisation_id is not None

    def may_view_projects(self) -> bool:
        """Return True if the caller may read projects (staff need the admin's view right)."""
        if self.is_partner:
            return True
        return self.user is not None and self.staff_may_view

    @property
    def scope(self) -> str | None:
        """Return the organisation whose projects the caller sees, or None for every project."""
        return self.organisation_id


# The scheme (case-insensitive, RFC 9110), one space, the token: nothing before or after.
_BEARER = re.compile(r"(?i:bearer) ([\x21-\x7e]+)")


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer reg_<id>_<secret>``, exactly."""

    def authenticate(self, request: Request) -> tuple[Caller, ApiToken] | None:
        """Return the caller and its token, None without a bearer header, or refuse.

        A token followed by a space, a tab or a line break is refused, not trimmed: what
        the caller sent is the token, or it is not one.
        """
        header = get_authorization_header(request).decode("latin-1")
        scheme = header.split(" ", 1)[0]
        if scheme.lower() != "bearer":
            return None
        match = _BEARER.fullmatch(header)
        if match is None:
            raise AuthenticationFailed(
                gettext(
                    "The header must read 'Authorization: Bearer <token>' exactly: one space "
                    "after Bearer, and nothing after the token."
                )
            )
        return authenticate_token(match.group(1))

    def authenticate_header(self, request: Request) -> str:
        """Return the WWW-Authenticate challenge sent with a 401."""
        return 'Bearer realm="api"'


class QueryTokenAuthentication(BearerTokenAuthentication):
    """``?token=reg_<id>_<secret>``: for calendar subscriptions, which cannot send headers."""

    def authenticate(self, request: Request) -> tuple[Caller, ApiToken] | None:
        """Return the caller named by the ``token`` query parameter, if there is one."""
        token = request.query_params.get("token")
        return authenticate_token(token) if token else None


def authenticate_token(token: str) -> tuple[Caller, ApiToken]:
    """Return the caller a token speaks for, or raise AuthenticationFailed saying why."""
    record = tokens.find(token)
    if record is None:
        raise AuthenticationFailed(gettext("This API token is not valid."))
    if record.revoked_at is not None:
        raise AuthenticationFailed(gettext("This API token was revoked."))
    if not record.is_usable(timezone.localdate()):
        raise AuthenticationFailed(
            gettext("This API token expired on {date}.").format(date=record.expires_on)
        )
    if record.holder_kind == HolderKind.ORGANISATION.value:
        caller = Caller(token_id=record.token_id, organisation_id=record.holder_id)
    else:
        staff = staff_account(record.holder_id)
        if staff is None:
            raise AuthenticationFailed(
                gettext("The staff account holding this API token is no longer active.")
            )
        caller = Caller(
            token_id=record.token_id,
            user=staff,
            staff_may_view=staff.is_superuser or staff.may_view_projects,  # type: ignore[attr-defined]
        )
    _record_use(record.token_id)
    return caller, record


def staff_account(holder_id: str) -> AbstractBaseUser | None:
    """Return the active staff account ``holder_id``, with ``may_view_projects`` annotated.

    One query answers both what ``ModelBackend.has_perm("projects.view_project")`` would
    ask in two more (the account's own permissions and its groups'): a granted permission
    directly or through a group; superusers may anyway, as ``has_perm`` says.
    """
    granted = Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        content_type__app_label="projects",
        codename="view_project",
    )
    accounts = get_user_model().objects.filter(pk=holder_id, is_active=True, is_staff=True)
    return accounts.annotate(may_view_projects=Exists(granted)).first()


# While the shared cache is down: when this process last recorded each token's use.
_local_marks: dict[str, float] = {}


def _record_use(token_id: str) -> None:
    due = cache.guarded(
        "token last use",
        lambda: shared_cache.add(f"api-token-used:{token_id}", 1, timeout=USE_RECORD_INTERVAL),
        fallback=lambda: _locally_due(token_id),
    )
    if due:
        ApiTokenUse.objects.update_or_create(
            token_id=token_id, defaults={"last_used_at": timezone.now()}
        )


def _locally_due(token_id: str) -> bool:
    """Return True if this process has not recorded the token's use for a minute."""
    now = time.monotonic()
    if now - _local_marks.get(token_id, -USE_RECORD_INTERVAL) < USE_RECORD_INTERVAL:
        return False
    _local_marks[token_id] = now
    return True
