"""``revoke_api_token``: revoke an API token by its id (or by the token itself)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import i18n
from projects.api import tokens
from projects.api.management.commands.issue_api_token import cli_actor
from projects.domain.errors import DomainError


class Command(BaseCommand):
    help = "Revoke an API token for good; name it by its 12-digit id or by the whole token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", help="the token id (e.g. 3f9c0a1b2c4d) or the token")
        parser.add_argument("--reason", required=True, help="why it is revoked")

    def handle(self, *args: Any, token: str, reason: str, **options: Any) -> None:
        token_id = tokens.token_id_of(token) or token
        try:
            tokens.revoke(token_id, reason=reason, actor=cli_actor())
        except DomainError as refusal:
            raise CommandError(i18n.error_message(refusal)) from refusal
        self.stdout.write(f"Revoked API token {token_id}.")
