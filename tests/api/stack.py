"""The local stack of the API tests and of the API benchmark: today's lake seeded by the
metadata refresh's own steps, a real Airflow (api-server, scheduler, dag-processor) on the
project's dags folder, and the API under uvicorn in a thread."""

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
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "redshift-optimizer-metadata"
PREFIX = "api"
API_KEY = "test-api-key"
READ_KEY = "test-read-key"
INGEST_TOKEN = "test-ingest-token"
AIRFLOW_LOGIN = ("admin", "admin")
ADHOC_DAG = "redshift_adhoc_optimization"


def product_settings(scale: float, prefix: str = PREFIX) -> dict:
    """The settings Variable of the stack's Airflow: the demo's, scaled to the warehouse,
    under a key prefix, every slow statement collected."""
    from local import services

    return {**services.DEMO_SETTINGS, "key_prefix": prefix, "slow_query_threshold_ms": 0,
            "large_table_rows": max(int(2_500_000 * scale), 1000),
            "small_table_rows": max(int(250_000 * scale), 100)}


def seed_lake(settings: dict, warehouse_conn_id: str) -> date:
    """Today's snapshot, profile, slow queries and latest schema.json, written by the
    metadata refresh's own steps from the warehouse; returns the day."""
    from redshift_optimizer.adapters.notifications import Notifier
    from redshift_optimizer.pipelines import metadata_refresh as refresh
    from redshift_optimizer.runtime import open_lake
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    config = load_settings(settings)
    day = datetime.now(timezone.utc).date()
    lake = open_lake(config)
    with warehouse_from_connection(warehouse_conn_id, config.resolved_include_dir()) as warehouse:
        refresh.snapshot_schema(warehouse, lake, config, day)
        refresh.profile_data(warehouse, lake, config, day)
        refresh.gather_slow_queries(warehouse, lake, config, day)
    refresh.publish_schema(lake, Notifier(config.schema_change_topic), day)
    return day


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

    def check_running(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"an Airflow process stopped; see the logs in {self.logs}")

    def wait_until_up(self, timeout: float) -> None:
        """Until the API server answers (what a task needs before it can start)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=10):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the Airflow API server did not answer on {self.url} within "
                                       f"{timeout:.0f} s; see the logs in {self.logs}") from None
            time.sleep(1)

    def wait_for_dag(self, dag_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
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


def start_airflow(state: Path, postgres, warehouse_dsn: str, aws_url: str, settings: dict) -> AirflowProcesses:
    """Airflow on a free port with its metadata DB in ``postgres`` (database airflow_api),
    the project's DAGs, connections to the warehouse and the local AWS endpoint, and
    ``settings`` as the redshift_optimizer Variable; no run of the ad-hoc DAG left over, and it
    unpaused (the scheduled DAGs stay paused on a fresh metadata DB)."""
    from local import services
    from local.stack import airflow_environment

    logs = state / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    postgres.ensure_database("airflow_api")
    port = services.free_port()
    env = airflow_environment(
        state, port, warehouse_dsn,
        postgres.dsn("airflow_api").replace("postgresql://", "postgresql+psycopg2://", 1), aws_url)
    env.update(services.demo_variable(settings))
    env.update({
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(logs / "tasks"),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
        "AIRFLOW__CORE__PARALLELISM": "4",
        # Only the ad-hoc DAG runs here (unpaused below): the scheduled refresh and optimization
        # would run in the background of the tests for nothing.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    })
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))},
           **env}
    processes = AirflowProcesses(env, logs, f"http://127.0.0.1:{port}")
    try:
        processes.run("db", "migrate")
        processes.start("api-server")
        # a task the scheduler starts before the API server answers fails before it begins
        processes.wait_until_up(timeout=240)
        processes.start("scheduler")
        processes.start("dag-processor")
        processes.wait_for_dag(ADHOC_DAG, timeout=240)
        processes.delete_runs(ADHOC_DAG)  # the metadata DB outlives a session
        processes.call("PATCH", f"/dags/{ADHOC_DAG}", {"is_paused": False})
    except BaseException:
        processes.stop()
        raise
    return processes


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


def api_environment(airflow_url: str, prefix: str = PREFIX) -> dict[str, str]:
    """The API's settings (OPTIMIZER_API_*) for the local stack."""
    return {
        "OPTIMIZER_API_API_KEYS": API_KEY,
        "OPTIMIZER_API_READ_KEYS": READ_KEY,
        "OPTIMIZER_API_INGEST_TOKENS": INGEST_TOKEN,
        "OPTIMIZER_API_AIRFLOW_URL": airflow_url,
        "OPTIMIZER_API_AIRFLOW_USERNAME": AIRFLOW_LOGIN[0],
        "OPTIMIZER_API_AIRFLOW_PASSWORD": AIRFLOW_LOGIN[1],
        "OPTIMIZER_API_KEY_PREFIX": prefix,
    }


def start_api(airflow_url: str, prefix: str = PREFIX) -> ApiServer:
    """The API on a free port, its settings from :func:`api_environment`."""
    from api.main import create_app
    from api.settings import load_api_settings
    from local import services

    overrides = {k[len("OPTIMIZER_API_"):].lower(): v for k, v in api_environment(airflow_url, prefix).items()}
    return ApiServer(create_app(load_api_settings(**overrides)), services.free_port()).start()
