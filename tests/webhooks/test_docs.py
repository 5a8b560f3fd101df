"""docs/WEBHOOKS.md's verification snippets, run verbatim against a real delivery."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from standardwebhooks.webhooks import WebhookVerificationError

from projects.webhooks import scan
from testkit.receiver import Receiver
from tests.api.world import AI
from tests.projects import builders
from tests.webhooks.conftest import ApiClient

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "WEBHOOKS.md"


def _snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)


def _run(snippet: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(snippet, str(DOC), "exec"), namespace)
    return namespace


def test_the_documented_checks_verify_a_real_delivery_and_refuse_a_forged_one(
    as_deepseek: ApiClient,
) -> None:
    by_hand, with_library = (_run(s) for s in _snippets())
    with Receiver() as receiver:
        secret = as_deepseek.post("webhooks/", {"url": receiver.url()}).json()["secret"]
        builders.schedule("M7", code=AI, responsible="deepseek", due_date=dt.date(2025, 9, 30))
        scan.send_webhooks()
    [got] = receiver.received
    forged = got.body.replace(b"MilestoneScheduled", b"MilestoneCancelled")
    other = as_deepseek.post("webhooks/", {"url": receiver.url()}).json()["secret"]

    assert by_hand["verify"](secret, got.headers, got.body) is True
    assert by_hand["verify"](secret, got.headers, forged) is False
    assert by_hand["verify"](other, got.headers, got.body) is False
    stale = {**got.headers, "webhook-timestamp": str(int(got.headers["webhook-timestamp"]) - 600)}
    assert by_hand["verify"](secret, stale, got.body) is False
    assert with_library["verified_event"](secret, got.headers, got.body) == json.loads(got.body)
    with pytest.raises(WebhookVerificationError):
        with_library["verified_event"](secret, got.headers, forged)
