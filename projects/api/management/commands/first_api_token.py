"""``first_api_token``: on a database without tokens, issue one for a seeded partner.

``make run`` calls it after ``first_staff_login`` so a new user can try the API at once:
it prints the token and a ``curl`` line ready to paste. With tokens already issued it
only says where the API and its documentation are.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import i18n, selectors
from projects.api import tokens
from projects.api.management.commands.issue_api_token import cli_actor
from projects.api.models import ApiToken
from projects.domain.access import HolderKind
from projects.domain.errors import DomainError

DEFAULT_ORGANISATION = "deepseek"


class Command(BaseCommand):
    help = "Issue a first API token for a seeded partner organisation on a database without any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", default=DEFAULT_ORGANISATION)
        parser.add_argument("--url", default="http://127.0.0.1:8000/api/")

    def handle(self, *args: Any, organisation: str, url: str, **options: Any) -> None:
        base = url.rstrip("/")
        if ApiToken.objects.exists():
            self.stdout.write(
                f"API: {base}/v1/ (documentation: {base}/docs/; "
                "issue a token with `python manage.py issue_api_token`)"
            )
            return
        if not selectors.organisation_list().filter(id=organisation).exists():
            self.stdout.write(
                f"API: {base}/docs/ (no organisation {organisation!r} yet: load the seeds, "
                "then run `python manage.py issue_api_token`)"
            )
            return
        try:
            issued = tokens.issue(
                holder_kind=HolderKind.ORGANISATION,
                holder_id=organisation,
                name="First token (make run)",
                actor=cli_actor(),
            )
        except DomainError as refusal:
            raise CommandError(i18n.error_message(refusal)) from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"Issued a first API token for the partner organisation {organisation}.\n"
                f"  Docs:  {base}/docs/\n"
                f"  Token: {issued.token}\n"
                f"  Try:   curl -H 'Authorization: Bearer {issued.token}' {base}/v1/projects/\n"
                "Keep it safe: it is shown only once (revoke it with revoke_api_token)."
            )
        )
