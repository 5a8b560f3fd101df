"""What a new user notices on the first run: a favicon, and each log line printed once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_admin_has_a_favicon(client: Client) -> None:
    login = client.get("/admin/login/", secure=True).content.decode()
    icon = client.get("/favicon.ico", secure=True)

    assert 'rel="icon" href="/static/projects/favicon.svg"' in login
    assert icon.status_code == 301
    assert icon["Location"] == "/static/projects/favicon.svg"


@pytest.mark.parametrize("name", ["django", "django.request", "django.utils.autoreload"])
def test_a_django_log_line_is_printed_once(name: str, tmp_path: Path) -> None:
    probe = (
        f"import django, logging; django.setup(); logging.getLogger({name!r}).warning('probe-line')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # make run's setting, under which Django adds its own console handler
        "REGISTRY_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)

    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert (done.stdout + done.stderr).count("probe-line") == 1
