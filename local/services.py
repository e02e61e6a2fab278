"""The local stand-ins, started by the stack and by the tests alike.

- the warehouse: the embedded PostgreSQL with Redshift-shaped system views and the demo
  TPC-H warehouse and workload;
- the AWS endpoint: a moto server on 127.0.0.1, reached by every client through
  ``AWS_ENDPOINT_URL`` (no code path of the product knows it is local);
- the AWS resources a deployment would provision (bucket, SNS topic).

The product differs locally only in endpoints and connections: everything here is set up
the way Terraform or an operator would set up the real thing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from local.postgres import LocalPostgres

ROOT = Path(__file__).resolve().parent.parent
REDSHIFT_SYSTEM_SQL = ROOT / "local" / "sql" / "redshift_system.sql"
VERIFIER_ROLE_SQL = ROOT / "local" / "sql" / "verifier_role.sql"
VERIFIER_GRANTS_SQL = ROOT / "local" / "sql" / "verifier_grants.sql"
#: the low-privilege user that runs rewrite checks (connection redshift_verifier)
VERIFIER_ROLE = "optimizer_verifier"
WAREHOUSE_DB = "warehouse"
REGION = "us-east-1"

# Demo-scale thresholds: the demo warehouse is small, so "large" is scaled down with it.
DEMO_SETTINGS = {
    "bucket": "redshift-optimizer-metadata",
    "slow_query_threshold_ms": 20,
    "large_table_rows": 500_000,
    "small_table_rows": 50_000,
    "profile_sample_rows": 500_000,
}
SCHEMA_CHANGE_TOPIC = "redshift-metadata-changes"
ALERTS_TOPIC = "redshift-optimization-alerts"
HISTORY_TABLE = "query-optimization-history"


def free_port(preferred: int = 0) -> int:
    """``preferred`` when it is free on 127.0.0.1, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def prepare_warehouse(server: LocalPostgres, database: str = WAREHOUSE_DB) -> str:
    """Create the warehouse database with its Redshift catalog views; returns its DSN."""
    import psycopg2

    server.ensure_database(database)
    conn = psycopg2.connect(server.dsn(database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(REDSHIFT_SYSTEM_SQL.read_text(encoding="utf-8"))
        # Redshift's system views are always on the search path; every statement is logged
        # with its duration, which is what the query-history views read.
        cur.execute(f'ALTER DATABASE "{database}" SET search_path = "$user", public, redshift_system')
        cur.execute(f'ALTER DATABASE "{database}" SET log_min_duration_statement = 0')
        cur.execute(VERIFIER_ROLE_SQL.read_text(encoding="utf-8"))
    conn.close()
    return server.dsn(database)


def verifier_dsn(warehouse_dsn: str) -> str:
    """The warehouse DSN as the verification user (trust authentication on loopback)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(warehouse_dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{VERIFIER_ROLE}@{host}"))


def grant_verifier(dsn: str) -> None:
    """Let the verification user read the demo tables (again: a rebuild recreates them)."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(VERIFIER_GRANTS_SQL.read_text(encoding="utf-8"))
    conn.close()


def load_demo(dsn: str, scale: float, repetitions: int, log=print) -> None:
    """Load the demo TPC-H warehouse (reused when present) and run the demo workload."""
    import psycopg2

    from local.demo.warehouse import load_demo_warehouse

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    started = time.monotonic()
    summary = load_demo_warehouse(conn, scale=scale)
    log(f"demo warehouse ready in {time.monotonic() - started:.0f} s: {summary}")
    if repetitions:
        from local.demo.workload import run_workload

        started = time.monotonic()
        timings = run_workload(conn, repetitions=repetitions)
        log(f"demo workload: {len(timings)} executions in {time.monotonic() - started:.0f} s")
    conn.close()
    grant_verifier(dsn)


@dataclass
class MotoServer:
    """The local AWS endpoint (moto server) on 127.0.0.1.

    With a ``journal`` file its data survives a restart: every write is journaled and
    replayed at the next start (``local/aws_endpoint.py``). Without one it lives in memory.
    """

    port: int
    log_file: Path
    journal: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                return True
        except OSError:
            return False

    def start(self) -> "MotoServer":
        if self.running():
            return self
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "local.aws_endpoint", "-H", "127.0.0.1", "-p", str(self.port)]
        if self.journal is not None:
            command += ["--journal", str(self.journal)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=open(self.log_file, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # The replay runs before the server answers: allow for a large journal.
        size_mb = self.journal.stat().st_size / 1e6 if self.journal is not None and self.journal.exists() else 0
        deadline = time.monotonic() + 30 + 2 * size_mb
        while not self.running():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the local AWS endpoint did not start; see {self.log_file}")
            time.sleep(0.2)
        return self

    def alive(self) -> bool:
        """Whether the process this object started is still running."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Ask the endpoint to stop (it closes its journal), and end it if it has not within
        30 s (a loaded machine): every request was already written to the journal."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """The ordinary AWS client settings that point every client at the local endpoint."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def provision_aws(endpoint_url: str, bucket: str, topics: list[str], history_table: str | None = None) -> None:
    """Create what a deployment provisions: the lake bucket, the SNS topics and, when named,
    the history table with its index (idempotent)."""
    import boto3

    env = aws_environment(endpoint_url)
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    s3 = session.client("s3", endpoint_url=endpoint_url)
    if bucket not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=bucket)
    sns = session.client("sns", endpoint_url=endpoint_url)
    for topic in topics:
        sns.create_topic(Name=topic)
    if history_table:  # created, or brought to the current definition (its listing index)
        from redshift_optimizer.history.dynamodb import ensure_table

        ensure_table(session.client("dynamodb", endpoint_url=endpoint_url), history_table)


def airflow_connections(warehouse_dsn: str) -> dict[str, str]:
    """The Airflow connections of the local stack, as AIRFLOW_CONN_* variables: the warehouse
    (the product's user), the verification user of rewrite checks, and AWS."""
    return {
        "AIRFLOW_CONN_REDSHIFT_DEFAULT": warehouse_dsn.replace("postgresql://", "postgres://", 1),
        "AIRFLOW_CONN_REDSHIFT_VERIFIER": verifier_dsn(warehouse_dsn).replace("postgresql://", "postgres://", 1),
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({"conn_type": "aws", "extra": {"region_name": REGION}}),
    }


def demo_variable(settings: dict | None = None) -> dict[str, str]:
    """The ``redshift_optimizer`` Variable of the local stack, as AIRFLOW_VAR_* variable."""
    return {"AIRFLOW_VAR_REDSHIFT_OPTIMIZER": json.dumps({**DEMO_SETTINGS, **(settings or {})})}


def apply_environment(values: dict[str, str]) -> None:
    os.environ.update(values)
