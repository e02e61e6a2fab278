"""Shared fixtures: the real local components, started once per test session and stopped after.

- ``local_postgres``: the embedded PostgreSQL (data kept under .local/test so a second run
  reuses the loaded demo warehouse);
- ``demo_dsn`` / ``demo_warehouse``: the demo TPC-H warehouse with its Redshift catalog views,
  the demo workload run once this session so today's query history exists;
- ``aws``: a moto server on 127.0.0.1 reached through AWS_ENDPOINT_URL, with the bucket,
  topics and history table a deployment would provision;
- ``airflow_db``: Airflow's metadata DB (SQLite under .local/test) for ``dag.test()``.
"""

from __future__ import annotations

import os
import tempfile
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
