"""The liaison officer ``make run`` creates receives the staff mail from the start."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from projects.notifications import jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set")]

ADDRESS = "liaison@example.org"


def test_the_first_officer_is_told_of_claims_awaiting_confirmation_and_gets_a_digest() -> None:
    out = io.StringIO()
    call_command("first_staff_login", stdout=out)

    reminders = jobs.send_reminders(dry_run=True)
    digests = jobs.send_digests(dry_run=True, email=ADDRESS)

    assert f"Email:    {ADDRESS}" in out.getvalue()
    (to_officer,) = [line for line in reminders.listed if f"<{ADDRESS}>" in line]
    assert re.search(r"milestones need you: .*\d+ claims? to confirm$", to_officer)
    # The partner contacts are never told of a claim awaiting confirmation.
    assert [line for line in reminders.listed if "to confirm" in line] == [to_officer]
    assert digests.planned == 1
    assert f"<{ADDRESS}>" in digests.listed[0]
