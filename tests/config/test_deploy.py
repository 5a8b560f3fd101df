"""Production settings: ``check --deploy`` is clean, and the repository holds no secret."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "registry.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://registry.example.org",
    "DATABASE_URL": "postgres://registry_app@db.internal:5432/registry",
    "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
    "BEHIND_TLS_PROXY": "1",
    "SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    "IATI_REPORTING_ORG_REF": "XI-IATI-EXAMPLE",
}


def check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py check --deploy`` with the real settings module and only ``env``."""
    # The browser tests let Playwright's event loop share the thread with the ORM; a
    # deployment never does (Django refuses it: async.E001), so neither does this check.
    harness = {"REGISTRY_VAR_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE", "SIGNING_KEY_FILE"}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in harness}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings", REGISTRY_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_only_suits_a_development_machine(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, DEBUG="0")

    assert result.returncode != 0
    for check_id in (
        "registry.W001",
        "registry.W002",
        "registry.W003",
        "registry.W006",
        "publishing.W001",
    ):
        assert check_id in result.stderr


# A few shapes that real credentials take; placeholders in documentation do not match.
SECRET_SHAPES = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "Django secret key": re.compile(r"SECRET_KEY\s*=\s*['\"][^'\"]{20,}['\"]"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
}
SKIP_DIRS = {".git", ".venv", "var", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache"}


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=False
    )
    if listed.returncode == 0:
        return [BASE_DIR / name for name in listed.stdout.decode().split("\0") if name]
    return [
        path
        for path in BASE_DIR.rglob("*")
        if path.is_file() and not SKIP_DIRS & set(path.relative_to(BASE_DIR).parts)
    ]


def test_the_repository_holds_no_secret() -> None:
    found = []
    for path in _repository_files():
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found += [
            f"{path.relative_to(BASE_DIR)}: {kind}"
            for kind, shape in SECRET_SHAPES.items()
            if shape.search(text)
        ]
    assert found == []


@pytest.mark.parametrize("path", ["var/secret_key", "var/registry.sqlite3", ".venv/bin/python"])
def test_local_state_is_never_committed(path: str) -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", path], cwd=BASE_DIR, capture_output=True, check=False
    )
    assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"
