"""Fixtures of the API tests, on the real local stack:

- ``seeded_lake``: today's metadata (snapshot, profile, slow queries, latest schema.json)
  written under the ``api`` key prefix by the metadata refresh's own steps, read from the
  demo warehouse after its workload ran;
- ``airflow_server``: a real Airflow (``airflow api-server``, ``scheduler`` and
  ``dag-processor`` with the project's dags folder, LocalExecutor, metadata DB in the
  local PostgreSQL), for the REST path end to end;
- ``api_server``: the API itself under uvicorn on 127.0.0.1, wired to that Airflow, the
  local AWS endpoint and the seeded lake.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "redshift-optimizer-metadata"
PREFIX = "api"
API_KEY = "test-api-key"
READ_KEY = "test-read-key"
INGEST_TOKEN = "test-ingest-token"
AIRFLOW_LOGIN = ("admin", "admin")


def product_settings() -> dict:
    """The settings Variable of the tests' Airflow: the demo's, scaled to the test warehouse,
    under the ``api`` prefix, every slow statement collected."""
    from local import services
    from tests.conftest import DEMO_SCALE

    return {**services.DEMO_SETTINGS, "key_prefix": PREFIX, "slow_query_threshold_ms": 0,
            "large_table_rows": max(int(2_500_000 * DEMO_SCALE), 1000),
            "small_table_rows": max(int(250_000 * DEMO_SCALE), 100)}


@pytest.fixture(scope="session")
def seeded_lake(aws, warehouse_connection, demo_dsn):
    """Today's lake objects under the ``api`` prefix, written by the refresh's own steps."""
    from redshift_optimizer.adapters.notifications import Notifier
    from redshift_optimizer.pipelines import metadata_refresh as refresh
    from redshift_optimizer.runtime import open_lake
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    settings = load_settings(product_settings())
    day = datetime.now(timezone.utc).date()
    lake = open_lake(settings)
    with warehouse_from_connection(warehouse_connection, settings.resolved_include_dir()) as warehouse:
        refresh.snapshot_schema(warehouse, lake, settings, day)
        refresh.profile_data(warehouse, lake, settings, day)
        refresh.gather_slow_queries(warehouse, lake, settings, day)
    refresh.publish_schema(lake, Notifier(settings.schema_change_topic), day)
    return day


# ------------------------------------------------------------------------- Airflow

class AirflowProcesses:
    """api-server, scheduler and dag-processor as child processes; stopped by group."""

    def __init__(self, env: dict[str, str], logs: Path, url: str):
        self.env, self.logs, self.url = env, logs, url
        self.processes: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: float = 600) -> None:
        subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, check=True, timeout=timeout,
                       stdout=open(self.logs / "airflow-cli.log", "ab"), stderr=subprocess.STDOUT)

    def start(self, *args: str) -> None:
        name = args[0]
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "airflow", *args], env=self.env, start_new_session=True,
            stdout=open(self.logs / f"{name}.log", "ab"), stderr=subprocess.STDOUT))

    def token(self) -> str:
        request = urllib.request.Request(
            f"{self.url}/auth/token", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"username": AIRFLOW_LOGIN[0], "password": AIRFLOW_LOGIN[1]}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["access_token"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/api/v2{path}", method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token()}"},
            data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def wait_for_dag(self, dag_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"an Airflow process stopped; see the logs in {self.logs}")
            try:
                self.call("GET", f"/dags/{dag_id}")
                return
            except (OSError, urllib.error.URLError, KeyError, json.JSONDecodeError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"DAG {dag_id} not served by {self.url} within {timeout:.0f} s; "
                                       f"see the logs in {self.logs}") from None
            time.sleep(1)

    def delete_runs(self, dag_id: str, state: str | None = None) -> int:
        """Delete the DAG's runs (of one state): no backlog from an earlier session or test."""
        deleted = 0
        while True:
            query = f"?limit=100{'&state=' + state if state else ''}"
            runs = self.call("GET", f"/dags/{dag_id}/dagRuns{query}")["dag_runs"]
            if not runs:
                return deleted
            for run in runs:
                path = f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}"
                if run["state"] not in ("success", "failed"):  # Airflow deletes only finished runs
                    self.call("PATCH", path, {"state": "failed"})
                self.call("DELETE", path)
                deleted += 1

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10  # the test is over: no need for a graceful drain
        for process in self.processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture(scope="session")
def airflow_server(local_postgres, demo_dsn, aws, seeded_lake):
    """A real Airflow serving the project's DAGs, on a free port; its URL."""
    from local import services
    from local.stack import airflow_environment
    from tests.conftest import STATE

    state = STATE / "api-airflow"
    logs = state / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    local_postgres.ensure_database("airflow_api")
    port = services.free_port()
    env = airflow_environment(
        state, port, demo_dsn, local_postgres.dsn("airflow_api").replace("postgresql://", "postgresql+psycopg2://", 1),
        aws.url)
    env.update(services.demo_variable(product_settings()))
    env.update({
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(logs / "tasks"),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
        "AIRFLOW__CORE__PARALLELISM": "4",
    })
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))},
           **env}
    processes = AirflowProcesses(env, logs, f"http://127.0.0.1:{port}")
    try:
        processes.run("db", "migrate")
        processes.start("api-server")
        processes.start("scheduler")
        processes.start("dag-processor")
        processes.wait_for_dag("redshift_adhoc_optimization", timeout=240)
        processes.delete_runs("redshift_adhoc_optimization")  # the metadata DB outlives a session
        yield processes
    finally:
        processes.stop()


# ----------------------------------------------------------------------------- API

class ApiServer:
    """The API under uvicorn in a thread of the test process."""

    def __init__(self, app, port: int):
        import uvicorn

        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "ApiServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def api_environment(airflow_url: str) -> dict[str, str]:
    """The API's settings for the tests (OPTIMIZER_API_*)."""
    return {
        "OPTIMIZER_API_API_KEYS": API_KEY,
        "OPTIMIZER_API_READ_KEYS": READ_KEY,
        "OPTIMIZER_API_INGEST_TOKENS": INGEST_TOKEN,
        "OPTIMIZER_API_AIRFLOW_URL": airflow_url,
        "OPTIMIZER_API_AIRFLOW_USERNAME": AIRFLOW_LOGIN[0],
        "OPTIMIZER_API_AIRFLOW_PASSWORD": AIRFLOW_LOGIN[1],
        "OPTIMIZER_API_KEY_PREFIX": PREFIX,
    }


@pytest.fixture(scope="session")
def api_server(airflow_server):
    """The API on a free port, against the real Airflow, S3 and DynamoDB."""
    from api.main import create_app
    from api.settings import ApiSettings
    from local import services

    env = api_environment(airflow_server.url)
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        server = ApiServer(create_app(ApiSettings()), services.free_port()).start()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield server
    server.stop()
