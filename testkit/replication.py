"""A PostgreSQL primary and a streaming replica of a test's own, made by initdb and pg_basebackup.

Both run Debian's PostgreSQL binaries (``PG_BIN``, default /usr/lib/postgresql/15/bin) on
free loopback ports, in data directories under one temporary folder (in memory, under
/dev/shm, where there is one), with a pg_hba.conf that trusts loopback connections,
replication included. The servers refuse to run as
root, so as root every binary runs as the ``postgres`` user (``runuser``). Durability is
switched off (``fsync``): nothing here outlives the test.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from testkit.smtp import free_port

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HBA = "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Server:
    """One PostgreSQL server: its data directory and port."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def url(self, database: str, user: str = "postgres") -> str:
        """Return the URL of ``database`` on this server."""
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.data.parent / f"{self.data.name}.log")
        run(["pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start"])

    def stop(self) -> None:
        """Stop the server (fast shutdown: connections are cut)."""
        run(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def query(self, sql: str, *params: Any, database: str = "postgres") -> Any:
        """Return the first column of the first row ``sql`` gives (None without rows)."""
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary (as ``postgres`` when root); fail with its output."""
    binary = str(BIN / command[0])
    result = subprocess.run(
        _as_server_user([binary, *command[1:]]),
        capture_output=True,
        text=True,
        check=False,
        **options,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


class Replicated:
    """A primary with one database and a streaming replica of it, in a folder of their own."""

    def __init__(self, database: str = "registry") -> None:
        self.database = database
        memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.folder = Path(tempfile.mkdtemp(prefix="registry-replica-", dir=memory))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.primary = Server(self.folder / "primary", free_port())
        self.replica = Server(self.folder / "replica", free_port())

    def start_primary(self) -> None:
        """Create the primary (initdb, its own pg_hba.conf), start it, create the database."""
        run(["initdb", "-D", str(self.primary.data), "-U", "postgres", "-A", "trust", "-N"])
        (self.primary.data / "pg_hba.conf").write_text(HBA)
        self.primary.start()
        self.primary.query(f'CREATE DATABASE "{self.database}"')

    def clone(self, script: str, **env: str) -> None:
        """Make the replica by running ``script`` (a shell block calling pg_basebackup) with
        PRIMARY_HOST, PRIMARY_PORT and REPLICA_DATA set, then start it."""
        variables = {
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "PRIMARY_HOST": "127.0.0.1",
            "PRIMARY_PORT": str(self.primary.port),
            "REPLICA_DATA": str(self.replica.data),
            **env,
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items())
        command = _as_server_user(["sh", "-ec", f"export {exports}\n{script}"])
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"the replica could not be made:\n{result.stdout}{result.stderr}")
        self.replica.start()

    def written(self) -> int:
        """Return the primary's current WAL position (bytes)."""
        return int(self.primary.query("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))

    def replayed(self) -> int:
        """Return how far the replica has replayed the WAL (bytes)."""
        return int(self.replica.query("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"))

    def wait_replayed(self, timeout: float = 30.0) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        target = self.written()
        deadline = time.monotonic() + timeout
        while self.replayed() < target:
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")
            time.sleep(0.02)

    def pause_replay(self) -> None:
        """Stop the replica applying the WAL it receives (it lags from now on)."""
        self.replica.query("SELECT pg_wal_replay_pause()")
        while self.replica.query("SELECT pg_get_wal_replay_pause_state()") != "paused":
            time.sleep(0.01)

    def resume_replay(self) -> None:
        """Let the replica apply the WAL again."""
        self.replica.query("SELECT pg_wal_replay_resume()")

    def stop(self) -> None:
        """Stop both servers (if running) and remove their folder."""
        for server in (self.replica, self.primary):
            if (server.data / "postmaster.pid").exists():
                subprocess.run(
                    _as_server_user(
                        [str(BIN / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"]
                    ),
                    capture_output=True,
                    check=False,
                )
        shutil.rmtree(self.folder, ignore_errors=True)
