"""The partners' verifier, as served, run as a program against a live registry.

The test downloads ``/api/v1/ledger/verifier.py`` from a real HTTP server (pytest-django's
live server) and runs it in a separate, isolated Python process with DeepSeek's token,
as a partner would: it passes, passes again after history grows, and fails naming the
position once an event DeepSeek has seen is rewritten behind the registry's back.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from registry import store, treebuild, treeheads
from registry.models import StoredEvent, TreeHead
from tests.api import world
from tests.projects import builders
from tests.registry.factories import tamper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(live_server: Any, tmp_path: Path) -> Path:
    """Download the verifier the registry serves; return where it was saved."""
    with urllib.request.urlopen(f"{live_server.url}/api/v1/ledger/verifier.py") as answer:
        assert answer.headers["Content-Type"] == "text/x-python; charset=utf-8"
        path = tmp_path / "verifier.py"
        path.write_bytes(answer.read())
    return path


def verify(served: Path, api: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the verifier as a partner would: its own process, its own folder, no registry code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env["REGISTRY_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-I", str(served), "--api", api, "--state", "state.json", *args],
        cwd=served.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def heads_are_old() -> None:
    """Make every published head older than a minute, so the next request signs a new one."""
    TreeHead.objects.update(timestamp=timezone.now() - timezone.timedelta(minutes=2))


def test_the_served_verifier_passes_then_names_a_rewritten_event(
    live_server: Any, served: Path
) -> None:
    callers = world.build()
    api = f"{live_server.url}/api/v1/"

    first = verify(served, api, callers.deepseek)

    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.rstrip().endswith("VERIFIED")
    seen = StoredEvent.objects.filter(stream_type="project", stream_id=world.AI).count()
    assert f"Your events checked: {seen}; proven included in the signed head: {seen}." in (
        first.stdout
    )

    builders.schedule("M7", code=world.AI, responsible="deepseek")
    heads_are_old()
    second = verify(served, api, callers.deepseek)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "It extends the head seen last time" in second.stdout
    assert f"Your events checked: {seen + 1}; proven included in the signed head: 1." in (
        second.stdout
    )

    mine = (
        StoredEvent.objects.filter(stream_type="project", stream_id=world.AI)
        .order_by("position")[2]
        .position
    )
    tamper(mine, hash="ab" * 32)  # rewritten behind the registry's back
    third = verify(served, api, callers.deepseek)

    assert third.returncode == 1, third.stdout + third.stderr
    assert f"FAILED at position {mine}: the feed now gives hash {'ab' * 32}" in third.stdout


def test_a_head_from_a_digest_is_checked_against_todays(live_server: Any, served: Path) -> None:
    callers = world.build()
    api = f"{live_server.url}/api/v1/"
    digest_head = treeheads.publish(tree_size=store.head()[0] - 3)

    since = f"{digest_head.tree_size}:{digest_head.root_hash}"
    passed = verify(served, api, callers.unitree, "--since", since)
    wrong = verify(served, api, callers.unitree, "--since", f"{digest_head.tree_size}:{'0' * 64}")

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert f"It extends the head {digest_head.tree_size}:{digest_head.root_hash}" in passed.stdout
    assert wrong.returncode == 1
    assert f"FAILED: tree head {digest_head.tree_size} was published with root" in wrong.stdout


def test_a_rewritten_tail_with_a_new_head_fails_consistency(live_server: Any, served: Path) -> None:
    callers = world.build()
    api = f"{live_server.url}/api/v1/"
    assert verify(served, api, callers.unitree).returncode == 0
    last = store.head()[0]
    for position in range(last - 4, last + 1):  # the tail rewritten, its tree made anew
        tamper(position, hash=f"{position:064x}")
    treebuild.rebuild()
    TreeHead.objects.all().delete()  # and the heads that would give it away, forgotten

    rewritten = verify(served, api, callers.unitree)

    assert rewritten.returncode == 1, rewritten.stdout
    assert f"does not extend the tree of {last} events" in rewritten.stdout


def test_a_token_the_registry_refuses_is_an_error_not_a_verdict(
    live_server: Any, served: Path
) -> None:
    world.build()

    refused = verify(served, f"{live_server.url}/api/v1/", "reg_000000000000_" + "x" * 43)

    assert refused.returncode == 2
    assert "answered 401" in refused.stdout


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    source = Path(__file__).resolve().parents[2] / "registry" / "verifier.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {
        (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    assert imported - set(sys.stdlib_module_names) == {"cryptography"}
