"""Production processes under a real supervisor: one dead process never takes the site down.

``make serve`` ran web, worker and beat under honcho, a development tool: ``kill -9`` of
the worker stopped web and beat too. It now runs them under supervisord
(``deploy/supervisord.conf``); ``deploy/*.service`` are the same three for systemd.

The main test runs ``make serve`` itself (on a free port, SQLite and the file broker in a
scratch folder), kills the worker with SIGKILL while web is asked for pages every 50 ms,
and sees the worker come back while web never misses an answer; stopping supervisord
then leaves no process of any of the three behind.
"""

from __future__ import annotations

import configparser
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
DEPLOY = BASE / "deploy"
VENV_BIN = BASE / ".venv" / "bin"
PROCESSES = ("web", "worker", "beat")


def procfile() -> dict[str, str]:
    """Return Procfile.prod's commands by process name."""
    lines = (BASE / "Procfile.prod").read_text().splitlines()
    pairs = (line.split(":", 1) for line in lines if line and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in pairs}


def _unwrapped(command: str) -> str:
    """Return the command a ``/bin/sh -c 'exec …'`` wrapper runs, or the command itself."""
    found = re.fullmatch(r"/bin/sh -c '(?:exec )?(.*)'", command)
    return found.group(1) if found else command


def supervised() -> dict[str, str]:
    """Return deploy/supervisord.conf's commands by program name."""
    config = configparser.RawConfigParser()
    config.read(DEPLOY / "supervisord.conf")
    return {
        section.split(":", 1)[1]: _unwrapped(config[section]["command"])
        for section in config.sections()
        if section.startswith("program:")
    }


def units() -> dict[str, dict[str, str]]:
    """Return the [Service] settings of deploy/registry-*.service by process name."""
    found = {}
    for path in sorted(DEPLOY.glob("registry-*.service")):
        config = configparser.RawConfigParser(strict=False)
        config.optionxform = str  # type: ignore[assignment,method-assign]
        config.read(path)
        found[path.stem.removeprefix("registry-")] = dict(config["Service"])
    return found


def test_supervisord_and_systemd_run_procfile_prods_commands() -> None:
    expected = procfile()
    from_units = {
        name: _unwrapped(service["ExecStart"])
        .replace("/srv/registry/.venv/bin/", "")
        .replace("$$", "$")
        for name, service in units().items()
    }

    assert set(expected) == set(PROCESSES)
    assert supervised() == expected
    assert from_units == expected


def test_every_process_is_restarted_on_failure_and_stopped_with_its_group() -> None:
    config = configparser.RawConfigParser()
    config.read(DEPLOY / "supervisord.conf")
    for name in PROCESSES:
        program = config[f"program:{name}"]
        assert program["autorestart"] == "unexpected", name
        assert (program["stopasgroup"], program["killasgroup"]) == ("true", "true"), name
    for name, service in units().items():
        assert service["Restart"] == "on-failure", name
        assert service["KillMode"] == "mixed", name
    assert config["program:beat"]["numprocs"] == "1"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # The units name the documented install folder; point them at this checkout, whose
    # programs exist, so that systemd can check the commands too.
    for unit in DEPLOY.glob("registry-*.service"):
        text = unit.read_text().replace("/srv/registry", str(BASE))
        (tmp_path / unit.name).write_text(text)

    verified = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        check=False,
    )

    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == ""


# -- make serve, and a worker killed under it ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0  # refused or reset: no answer


class Serving:
    """``make serve`` running in a scratch folder, and how to ask its supervisord."""

    def __init__(self, process: subprocess.Popen[bytes], env: dict[str, str], url: str) -> None:
        self.process, self.env, self.url = process, env, url

    def ctl(self, *args: str) -> str:
        """Run supervisorctl against this supervisord; return what it printed."""
        done = subprocess.run(
            [str(VENV_BIN / "supervisorctl"), "-c", str(DEPLOY / "supervisord.conf"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout

    def pid(self, name: str) -> int:
        """Return the pid of a running program (0 when it is not running)."""
        status = self.ctl("status", name)
        found = re.search(r"RUNNING\s+pid (\d+)", status)
        return int(found.group(1)) if found else 0

    def wait_running(self, name: str, *, other_than: int = 0, timeout: float = 60) -> int:
        """Wait until ``name`` runs (with another pid than ``other_than``); return its pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.pid(name)
            if pid and pid != other_than:
                return pid
            time.sleep(0.2)
        raise AssertionError(f"{name} is not running: {self.ctl('status')}")


def _descendants(pid: int) -> set[int]:
    """Return the processes below ``pid`` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            for child in task.read_text().split():
                found.add(int(child))
                todo.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Serving]:
    """``make serve`` on a free port with production settings; stopped afterwards."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port = _free_port()
    var = tmp_path / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "DJANGO_", "EMAIL_", "CACHE_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        REGISTRY_VAR_DIR=str(var),
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="1",
        LOG_FORMAT="plain",
        MAIL_SCAN_SECONDS="3600",
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the test can always end all of it
    )
    env["REGISTRY_VAR_DIR"] = str(var)
    url = f"http://127.0.0.1:{port}"
    served = Serving(process, env, url)
    try:
        deadline = time.monotonic() + 180
        while _status(f"{url}/healthz") != 200:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-4000:]
            assert time.monotonic() < deadline, "make serve did not answer within 3 minutes"
            time.sleep(0.5)
        yield served
    finally:
        _stop(process, var / "supervisord.pid")
        log.close()


def _stop(make: subprocess.Popen[bytes], pidfile: Path) -> None:
    """Stop make serve and everything it started, whatever state the test left it in.

    supervisord runs in a process group of its own (``config.foreground`` gives it one),
    so it is stopped through make's TERM (forwarded) and then by its pid; anything still
    alive after a minute is killed.
    """
    supervisord = int(pidfile.read_text()) if pidfile.exists() else 0
    left = _descendants(supervisord) | {supervisord} if supervisord else set()
    if make.poll() is None:
        os.killpg(make.pid, signal.SIGTERM)
    if supervisord and _alive(supervisord):
        os.kill(supervisord, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    if make.poll() is None:
        os.killpg(make.pid, signal.SIGKILL)
    make.wait(timeout=30)


def test_a_worker_killed_under_make_serve_comes_back_while_web_keeps_answering(
    serving: Serving, record_property: Callable[[str, object], None]
) -> None:
    web = serving.wait_running("web")
    beat = serving.wait_running("beat")
    worker = serving.wait_running("worker")
    answers: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            answers.append(_status(f"{serving.url}/healthz"))
            answers.append(_status(f"{serving.url}/admin/login/"))
            time.sleep(0.05)

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        killed = time.monotonic()
        os.kill(worker, signal.SIGKILL)
        again = serving.wait_running("worker", other_than=worker, timeout=60)
        back = time.monotonic() - killed
        time.sleep(3)  # past startsecs: the new worker stays up
        after = {name: serving.pid(name) for name in PROCESSES}
        # On a busy machine each answer takes longer: ask on until there are enough.
        deadline = time.monotonic() + 60
        while len(answers) < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        asking.join()

    assert after == {"web": web, "worker": again, "beat": beat}
    assert _alive(again)
    assert len(answers) >= 20
    assert set(answers) == {200}, f"web missed answers: {sorted(set(answers))}"
    record_property("worker_back_s", f"{back:.1f}")
    record_property("web_answers_meanwhile", len(answers))


def test_stopping_supervisord_stops_every_process_with_its_children(serving: Serving) -> None:
    pids = {name: serving.wait_running(name) for name in PROCESSES}
    supervisord = int((Path(serving.env["REGISTRY_VAR_DIR"]) / "supervisord.pid").read_text())
    everything = _descendants(supervisord)
    assert set(pids.values()) <= everything
    assert len(everything) > len(PROCESSES)  # gunicorn's and Celery's children too

    os.kill(supervisord, signal.SIGTERM)
    serving.process.wait(timeout=90)

    assert [pid for pid in everything if _alive(pid)] == []
    assert not _alive(supervisord)


def test_make_serve_runs_supervisord_not_honcho() -> None:
    recipe = subprocess.run(
        ["make", "-n", "serve", "HOST=127.0.0.1", "PORT=1"],
        cwd=BASE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    (launch,) = [line for line in recipe.splitlines() if "config.foreground" in line]
    assert "supervisord --configuration deploy/supervisord.conf" in launch
    assert "honcho" not in launch
