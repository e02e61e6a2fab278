"""`make run`: the whole product on this machine, no Docker and no AWS account.

Starts (or reuses) the embedded PostgreSQL with the demo warehouse and workload, the local
AWS endpoint (its data journaled under the state dir and replayed at the next start), the
Airflow components (scheduler, DAG processor, triggerer, API server) with the connections and
settings pre-set and the DAGs unpaused, and the optimizer's API; triggers one metadata refresh for today and waits for it and for the query
optimization its asset event triggers (four mapped agents per query); prints where to look.
Stays in the foreground until Ctrl-C, which stops everything it started. Meanwhile a
supervisor restarts any of them that dies, or stops everything with a message naming it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from local import services
from local.postgres import LocalPostgres
from local.supervisor import Child, ProcessChild, Supervisor

ROOT = services.ROOT
# The Airflow components `airflow standalone` would run, started one by one so each can be
# watched and restarted (standalone leaves a dead component dead). The API server comes first
# and is up before the others start: a task the scheduler starts earlier cannot reach the
# execution API, fails before it begins and waits out its retry delay (5 minutes).
AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
MAIN_DAG = "redshift_metadata_refresh"
OPTIMIZATION_DAG = "redshift_query_optimization"  # triggered by the refresh's asset event
AGENT_POOL = ("redshift_optimizer_agents", 4)  # the pool the agents' model calls share
LOGIN = ("admin", "admin")
API_KEY = "local-dev-key"


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


class AirflowApi:
    """The few Airflow REST API v2 calls the stack needs."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.token: str | None = None

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, headers=headers,
            data=None if body is None else json.dumps(body).encode(),
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"{}")
            except urllib.error.HTTPError:
                raise
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # The API server may be restarting (the supervisor brings it back), or slow to
                # answer while the other components start on a busy machine.
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)

    def wait_until_up(self, process: ProcessChild, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                health = self._request("GET", "/api/v2/monitor/health")
                if health.get("metadatabase", {}).get("status") == "healthy":
                    return
            except (OSError, urllib.error.URLError, json.JSONDecodeError):
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the Airflow API server stopped while starting; see {process.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Airflow did not answer on {self.base_url} within {timeout:.0f} s")
            time.sleep(2)

    def login(self, username: str, password: str) -> None:
        self.token = self._request("POST", "/auth/token", {"username": username, "password": password})[
            "access_token"
        ]

    def wait_for_dag(self, dag_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._request("GET", f"/api/v2/dags/{dag_id}")
                return
            except urllib.error.HTTPError as exc:
                if exc.code != 404 or time.monotonic() > deadline:
                    raise RuntimeError(f"DAG {dag_id} was not parsed within {timeout:.0f} s") from exc
            time.sleep(2)

    def trigger(self, dag_id: str, run_id: str, conf: dict) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns",
                      {"dag_run_id": run_id, "logical_date": None, "conf": conf})

    def ensure_pool(self, name: str, slots: int) -> None:
        try:
            self._request("POST", "/api/v2/pools", {"name": name, "slots": slots,
                                                    "description": "agents' model calls", "include_deferred": False})
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # 409: the pool exists
                raise

    def wait_for_day_run(self, dag_id: str, after: str, day: str, timeout: float) -> tuple[str, str]:
        """(run id, state) of the run of ``dag_id`` queued after ``after`` (ISO time) that
        analyses ``day`` (its plan_day's ``run_date``), once it is done. Other runs (the
        refresh's own scheduled run announces yesterday too) are waited past."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=-run_after&limit=10")["dag_runs"]
            for run in (r for r in runs if (r.get("run_after") or "") >= after):
                try:
                    entry = self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}"
                                                 "/taskInstances/plan_day/xcomEntries/run_date")
                except urllib.error.HTTPError:
                    continue  # plan_day has not run yet
                if str(entry.get("value")).strip('"') == day and run["state"] in ("success", "failed"):
                    return run["dag_run_id"], run["state"]
            time.sleep(3)
        return "-", "not finished in time"

    def wait_until_idle(self, dag_ids: list[str], timeout: float) -> None:
        """Wait until none of ``dag_ids`` has a queued or running run (the runs Airflow
        schedules at first start), so the stack's own run and its asset event stand alone."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [
                dag_id for dag_id in dag_ids
                if self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?state=queued&state=running")["total_entries"]
            ]
            if not busy:
                return
            time.sleep(3)

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            state = self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
            if state in ("success", "failed") or time.monotonic() > deadline:
                return state
            time.sleep(3)


def optimization_summary(aws_url: str, bucket: str, day: str) -> str:
    """How many fingerprints were stored for ``day``, with how many agents, and the alerts."""
    import boto3

    from redshift_optimizer import lake_keys

    env = services.aws_environment(aws_url)
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=services.REGION)
    s3 = session.client("s3", endpoint_url=aws_url)
    prefix = lake_keys.recommendations(day)
    keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in p.get("Contents", [])]
    agents = sum(len(json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read())["agents"]) for k in keys)
    with urllib.request.urlopen(f"{aws_url}/moto-api/data.json", timeout=10) as response:
        topics = json.loads(response.read()).get("sns", {}).get("Topic", [])
    alerts = sum(len(t["sent_notifications"]) for t in topics if t.get("name") == services.ALERTS_TOPIC)
    return (f"optimization of {day}: {len(keys)} fingerprint(s), {agents} agent result(s) in s3://{bucket}/{prefix} "
            f"and DynamoDB {services.HISTORY_TABLE}; {alerts} alert(s) on SNS {services.ALERTS_TOPIC}")


def airflow_environment(state: Path, port: int, warehouse_dsn: str, airflow_db_dsn: str, aws_url: str) -> dict[str, str]:
    """Everything Airflow needs, as environment variables (nothing written into the repo)."""
    home = state / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({LOGIN[0]: LOGIN[1]}))
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{LOGIN[0]}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_db_dsn,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # The api-server and every task share one small machine here: under load a task's call
        # to the execution API can wait past Airflow's 5 s default and fail the task (Airflow's
        # advice for timeouts under high load is this setting).
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)]),
        # Airflow starts its own helpers as `airflow ...`: the virtualenv's comes first.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    env.update(services.aws_environment(aws_url))
    env.update(services.airflow_connections(warehouse_dsn))
    env.update(services.demo_variable())
    return env


def api_child(state: Path, port: int, airflow_port: int, aws_url: str) -> ProcessChild:
    """The optimizer's API and web page (uvicorn), talking to the local Airflow and AWS."""
    env = {
        **os.environ,
        **services.aws_environment(aws_url),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)]),
        "OPTIMIZER_API_API_KEYS": f"{LOGIN[0]}:{API_KEY}",
        "OPTIMIZER_API_AIRFLOW_URL": f"http://127.0.0.1:{airflow_port}",
        "OPTIMIZER_API_AIRFLOW_USERNAME": LOGIN[0],
        "OPTIMIZER_API_AIRFLOW_PASSWORD": LOGIN[1],
    }
    log_path = state / "logs" / "api.log"

    def ready(child: ProcessChild) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    return
            except OSError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the API did not start; see {log_path}") from None
                time.sleep(0.5)

    return ProcessChild([sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app",
                         "--host", "127.0.0.1", "--port", str(port)], log_path, env=env, cwd=ROOT, ready=ready)


class ChildFailed(Exception):
    """A child of the stack died and could not be kept running (the message names it)."""


def postgres_child(postgres: LocalPostgres, owned: bool) -> Child:
    """PostgreSQL as a supervised child: it must come back on its port, or the DSNs that
    Airflow and the API hold would point nowhere."""
    port = postgres.port

    def start() -> None:
        postgres.start()
        if postgres.port != port:
            raise RuntimeError(f"it came back on port {postgres.port} instead of {port}")

    return Child("PostgreSQL (the warehouse and Airflow's database)", start,
                 lambda: postgres.running_port() is not None,
                 postgres.stop if owned else (lambda: None), postgres.data_dir / "server.log")


def _top_queries(text: str) -> int:
    """--top-queries: a whole number from 1 to 500 (the setting's range)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError(f"{value} is outside 1..500")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make run",
        description="Run the Redshift Query Optimizer locally: embedded PostgreSQL standing in for "
        "Redshift (demo TPC-H warehouse and workload), a local AWS endpoint, Airflow and one "
        "metadata refresh. Ctrl-C stops everything it started.",
    )
    parser.add_argument("--state-dir", type=Path, default=Path(os.environ.get("STATE_DIR", ROOT / ".local")),
                        help="where data, logs and the Airflow home live (default: .local)")
    parser.add_argument("--postgres-port", type=int, default=int(os.environ.get("POSTGRES_PORT", 55432)))
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("AWS_PORT", 55000)),
                        help="port of the local AWS endpoint (default 55000)")
    parser.add_argument("--airflow-port", type=int, default=int(os.environ.get("AIRFLOW_PORT", 8080)))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", 8000)),
                        help="port of the optimizer's API and web page (default 8000)")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("DEMO_SCALE", 0.2)),
                        help="TPC-H scale of the demo warehouse (default 0.2: 1.2M lineitem rows)")
    parser.add_argument("--workload-repetitions", type=int, default=3,
                        help="how many times each demo query runs (default 3)")
    parser.add_argument("--top-queries", type=_top_queries, default=None,
                        help="how many fingerprints the query optimization analyses (four agents each; "
                        "default: the product's setting, 10)")
    parser.add_argument("--exit-after-run", action="store_true",
                        help="stop everything once the metadata refresh has finished")
    args = parser.parse_args(argv)

    state = args.state_dir.resolve()

    def child_failed(message: str) -> None:
        os.kill(os.getpid(), signal.SIGUSR1)  # the main thread stops everything

    supervisor = Supervisor(say, on_failure=child_failed)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    def failed(*_: object) -> None:
        raise ChildFailed(supervisor.failure or "a child of the stack stopped")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGUSR1, failed)
    try:
        postgres = LocalPostgres(state / "postgres", args.postgres_port)
        was_running = postgres.running_port() is not None
        postgres.start()
        supervisor.add(postgres_child(postgres, owned=not was_running), start=False)
        supervisor.watch()
        say(f"PostgreSQL (Redshift stand-in) on 127.0.0.1:{postgres.port}")
        warehouse_dsn = services.prepare_warehouse(postgres)
        services.load_demo(warehouse_dsn, args.scale, args.workload_repetitions, log=say)
        postgres.ensure_database("airflow")

        # Every write to the endpoint is journaled under the state dir and replayed at the
        # next start: the lake, the archive and the history survive a restart.
        moto = services.MotoServer(services.free_port(args.aws_port), state / "logs" / "aws.log",
                                   journal=state / "aws" / "journal.jsonl")
        supervisor.add(Child("the local AWS endpoint (moto)", moto.start, moto.alive, moto.stop, moto.log_file))
        say(f"local AWS endpoint on {moto.url} (data kept in {moto.journal})")
        services.provision_aws(moto.url, services.DEMO_SETTINGS["bucket"],
                               [services.SCHEMA_CHANGE_TOPIC, services.ALERTS_TOPIC], services.HISTORY_TABLE)

        port = services.free_port(args.airflow_port)
        env = {**os.environ, **airflow_environment(
            state, port, warehouse_dsn,
            postgres.dsn("airflow").replace("postgresql://", "postgresql+psycopg2://", 1), moto.url,
        )}
        if args.top_queries:
            env.update(services.demo_variable({"top_queries": args.top_queries}))
        logs = state / "logs"
        say(f"starting Airflow on http://127.0.0.1:{port} (logs: {logs}/airflow-*.log)")
        with open(logs / "airflow-db-migrate.log", "ab") as log:
            if subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, stdout=log,
                              stderr=subprocess.STDOUT).returncode:
                raise RuntimeError(f"Airflow's database migration failed; see {logs / 'airflow-db-migrate.log'}")
        api = AirflowApi(f"http://127.0.0.1:{port}")
        for component in AIRFLOW_COMPONENTS:
            child = ProcessChild([sys.executable, "-m", "airflow", component], logs / f"airflow-{component}.log",
                                 env=env)
            supervisor.add(Child(f"the Airflow {component}", child.start, child.alive, child.stop, child.log))
            if component == "api-server":
                api.wait_until_up(child, timeout=300)
        api.login(*LOGIN)
        api_port = services.free_port(args.api_port)
        optimizer_api = api_child(state, api_port, port, moto.url)
        supervisor.add(Child("the optimizer's API", optimizer_api.start, optimizer_api.alive, optimizer_api.stop,
                             optimizer_api.log))
        say(f"the optimizer's API on http://127.0.0.1:{api_port} (log: {optimizer_api.log})")
        api.wait_for_dag(MAIN_DAG, timeout=180)
        api.wait_for_dag(OPTIMIZATION_DAG, timeout=180)
        api.ensure_pool(*AGENT_POOL)

        say("waiting for the runs Airflow schedules at start to finish")
        time.sleep(5)  # the scheduler's first loop creates them
        api.wait_until_idle([MAIN_DAG, OPTIMIZATION_DAG], timeout=600)
        today = datetime.now(timezone.utc).date().isoformat()
        run_id = f"make_run__{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
        api.trigger(MAIN_DAG, run_id, {"run_date": today})
        say(f"triggered {MAIN_DAG} run {run_id} for {today}; waiting for it")
        triggered_after = datetime.now(timezone.utc).isoformat()
        state_name = api.wait_for_run(MAIN_DAG, run_id, timeout=900)
        optimization = ("-", "not run")
        if state_name == "success":
            say(f"waiting for {OPTIMIZATION_DAG}, which the refresh triggers (four mapped agents per query)")
            optimization = api.wait_for_day_run(OPTIMIZATION_DAG, triggered_after, today, timeout=300)
            say(optimization_summary(moto.url, services.DEMO_SETTINGS["bucket"], today))
        bucket = services.DEMO_SETTINGS["bucket"]
        print(
            f"""
==========================================================================
 Redshift Query Optimizer, local stack
   Airflow UI          http://127.0.0.1:{port}   login {LOGIN[0]} / {LOGIN[1]}
   optimizer page      http://127.0.0.1:{api_port}/#key={API_KEY}   (API docs /docs, key {API_KEY})
   metadata refresh    {state_name}  (run {run_id})
   query optimization  {optimization[1]}  (run {optimization[0]}; results in DynamoDB {services.HISTORY_TABLE}
                       and s3://{bucket}/recommendations/; alerts on SNS {services.ALERTS_TOPIC})
   warehouse           {warehouse_dsn}
   AWS endpoint        {moto.url}   (S3 bucket {bucket}; SNS messages at {moto.url}/moto-api/data.json)
   outputs             AWS_ENDPOINT_URL={moto.url} aws s3 ls --recursive s3://{bucket}/
   logs                {state / 'logs'}
 Ctrl-C stops everything this command started.
==========================================================================""",
            flush=True,
        )
        if state_name != "success" or optimization[1] != "success":
            say(f"the metadata refresh ended {state_name}, the optimization {optimization[1]}: "
                "open the runs in the Airflow UI for their logs")
            if args.exit_after_run:
                return 1
        if args.exit_after_run:
            return 0
        say("watching the stack: a component that stops is restarted")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        say("stopping")
        return 0
    except ChildFailed as exc:
        say(f"error: {exc}; stopping everything")
        return 1
    except Exception as exc:  # noqa: BLE001 - one clear line for the newcomer, not a traceback
        say(f"error: {supervisor.failure or exc}")
        return 1
    finally:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        supervisor.stop_all()


if __name__ == "__main__":
    raise SystemExit(main())
