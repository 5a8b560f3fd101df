"""``issue_api_token``: issue a partner's (or a staff account's) API token; print only it."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import i18n
from projects.api import tokens
from projects.application import Actor
from projects.domain.access import HolderKind
from projects.domain.errors import DomainError


def cli_actor() -> Actor:
    """Return the operator acting from the command line, named by the OS user."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor.system(source="cli", actor_id=f"cli:{who}")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--expires {value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Issue an API token for a partner organisation (--organisation) or a staff account "
        "(--user). Prints the token, and only the token, on standard output: it is shown once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        holder = parser.add_mutually_exclusive_group(required=True)
        holder.add_argument("--organisation", help="organisation id, e.g. deepseek")
        holder.add_argument("--user", help="user name of a liaison officer's staff account")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--expires", help="YYYY-MM-DD: the token is refused from that day")

    def handle(
        self,
        *args: Any,
        organisation: str | None,
        user: str | None,
        name: str,
        expires: str | None,
        **options: Any,
    ) -> None:
        if user is not None:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user is called {user!r}.")
            kind, holder = HolderKind.STAFF, str(account.pk)
        else:
            kind, holder = HolderKind.ORGANISATION, organisation or ""
        try:
            issued = tokens.issue(
                holder_kind=kind,
                holder_id=holder,
                name=name,
                expires_on=_date(expires) if expires else None,
                actor=cli_actor(),
            )
        except DomainError as refusal:
            raise CommandError(i18n.error_message(refusal)) from refusal
        self.stdout.write(issued.token)
