"""Shared fixtures: the real local components, started once per test session and stopped after.

- ``local_postgres``: the embedded PostgreSQL (data kept under .local/test so a second run
  reuses the loaded demo warehouse);
- ``demo_dsn`` / ``demo_warehouse``: the demo TPC-H warehouse with its Redshift catalog views,
  the demo workload run once this session so today's query history exists;
- ``aws``: a moto server on 127.0.0.1 reached through AWS_ENDPOINT_URL, with the bucket,
  topics and history table a deployment would provision;
- ``airflow_db``: Airflow's metadata DB (SQLite under .local/test) for ``dag.test()``;
- ``demo_day``, ``optimization_dag``, ``stack``: the agent and security tests' day of lake
  objects from the demo warehouse, the parsed optimization DAG, and the stack's connections
  and settings (session fixtures here, so the two directories build them once).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("TEST_STATE_DIR", ROOT / ".local" / "test"))
STATE.mkdir(parents=True, exist_ok=True)
DEMO_SCALE = float(os.environ.get("TEST_DEMO_SCALE", "0.2"))

# Airflow reads its configuration at import: point it at a private home and DB first.
_AIRFLOW_HOME = STATE / "airflow"
_AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
os.environ.update({
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_AIRFLOW_HOME / "logs"),
})
for _name in [n for n in os.environ if n.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "AWS_"))]:
    del os.environ[_name]


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_loader():
    """One botocore data loader for every boto3 session of the test process.

    ``dag.test()`` runs every task in this process, and each task's hooks open a new boto3
    session, which reads and parses botocore's service models and endpoints again (about
    0.3 s per client here). In production each task is its own process and pays that once.
    One loader per data path, with its caches, serves all sessions, as one session's loader
    already serves all of its clients; nothing else about a session is shared."""
    import functools

    import botocore.loaders
    import botocore.session

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", functools.lru_cache(maxsize=None)(botocore.loaders.create_loader))
        yield


@pytest.fixture(scope="session")
def local_postgres():
    from local.postgres import LocalPostgres

    server = LocalPostgres(STATE / "postgres", port=0)
    was_running = server.running_port() is not None
    server.start()
    yield server
    if not was_running:
        server.stop()


@pytest.fixture(scope="session")
def demo_dsn(local_postgres):
    from local import services

    dsn = services.prepare_warehouse(local_postgres)
    services.load_demo(dsn, DEMO_SCALE, repetitions=int(os.environ.get("TEST_WORKLOAD_REPETITIONS", "1")),
                       log=lambda message: None)
    return dsn


@pytest.fixture(scope="session")
def warehouse_connection(demo_dsn):
    """The warehouse as the Airflow connection ``redshift_default`` (type postgres)."""
    from local import services

    os.environ.update(services.airflow_connections(demo_dsn))
    return "redshift_default"


@pytest.fixture()
def demo_warehouse(warehouse_connection):
    """A Warehouse on the local engine with the demo TPC-H warehouse loaded."""
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    with warehouse_from_connection(warehouse_connection, load_settings().resolved_include_dir()) as warehouse:
        yield warehouse


@pytest.fixture()
def pg(demo_dsn):
    """A plain psycopg2 connection (autocommit) to the demo warehouse, for test set-up."""
    import psycopg2

    conn = psycopg2.connect(demo_dsn)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def aws():
    """The local AWS endpoint (moto server) with the demo bucket and topic provisioned."""
    from local import services

    server = services.MotoServer(services.free_port(), Path(tempfile.mkdtemp()) / "aws.log").start()
    os.environ.update(services.aws_environment(server.url))
    services.provision_aws(server.url, services.DEMO_SETTINGS["bucket"],
                           [services.SCHEMA_CHANGE_TOPIC, services.ALERTS_TOPIC], services.HISTORY_TABLE)
    yield server
    server.stop()
    for name in services.aws_environment(server.url):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata DB, migrated (kept between sessions under .local/test)."""
    from airflow.utils.db import initdb

    initdb()
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def demo_day(warehouse_connection, demo_dsn):
    """(snapshot, profile, slow queries) of the demo warehouse (loaded at DEMO_SCALE) and its workload."""
    import psycopg2

    from local.demo.workload import workload_queries
    from redshift_optimizer.catalog.profile import profile_snapshot
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
    from redshift_optimizer.fingerprint import fingerprint
    from redshift_optimizer.models.lake import SlowQueries, SlowQuery
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    settings = load_settings()
    now = datetime.now(timezone.utc)
    with warehouse_from_connection(warehouse_connection, settings.resolved_include_dir()) as warehouse:
        snapshot = extract_schema_snapshot(warehouse, now, ["tpch"])
        profile = profile_snapshot(warehouse, snapshot, now, sample_rows=500_000, top_values_max_distinct=20,
                                   top_values_count=5, max_tables=50)
    conn = psycopg2.connect(demo_dsn)
    conn.autocommit = True
    queries = []
    with conn.cursor() as cur:
        for query in workload_queries():
            total, texts = 0.0, []
            for params in query.variants:
                text = cur.mogrify(query.sql, params).decode()
                started = time.perf_counter()
                cur.execute(text)
                total += (time.perf_counter() - started) * 1000
                texts.append(text)
            fp = fingerprint(texts[0])
            queries.append(SlowQuery(
                query_hash=fp.query_hash, fingerprint=fp.text, query_text=texts[0], database="warehouse",
                user="analyst", executions=len(texts), total_elapsed_ms=round(total, 3),
                mean_elapsed_ms=round(total / len(texts), 3), max_elapsed_ms=round(total, 3), queue_ms=0,
                returned_rows=cur.rowcount, spilled_mb=0, alerts=[], anti_patterns=list(query.anti_patterns),
                workload_file=query.name,
            ))
    conn.close()
    slow = SlowQueries(window_start="2026-01-01T00:00:00Z", window_end="2026-01-02T00:00:00Z",
                       threshold_ms=0, source_view="SYS_QUERY_HISTORY", queries=queries)
    return snapshot, profile, slow


@pytest.fixture(scope="session")
def optimization_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    bag = DagBag(dag_folder=str(ROOT / "dags" / "redshift_query_optimization.py"))
    assert not bag.import_errors, bag.import_errors
    # The metadata DB outlives a session: runs of an earlier session with the same logical
    # date would be reused by dag.test() instead of running again.
    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id == "redshift_query_optimization").delete()
    return bag.dags["redshift_query_optimization"]


@pytest.fixture()
def stack(aws, warehouse_connection, monkeypatch):
    """Connections and the settings Variable as the local stack sets them."""
    from local import services

    for name, value in services.demo_variable().items():
        monkeypatch.setenv(name, value)
    return aws
