"""Fixtures of the security tests, on the real local warehouse:

- ``verifier``: the warehouse as the verification identity (connection ``redshift_verifier``,
  the low-privilege role the local stack creates), the way the rewrite check opens it;
- ``sentinel``: another session (the product's own user) that no probe may end;
- ``probe_schema``: a schema the verifier may see but whose table it may not read, holding a
  secret;
- :func:`table_state`: row count and checksum of every demo table (local/demo/sql/table_checksum.sql).
"""

from __future__ import annotations

from contextlib import closing

import pytest

from local.demo.warehouse import demo_table_designs, table_checksum

SECRET = "s3cr3t-7f1c9e-do-not-leak"
PROBE_SCHEMA = "security_probe"


def demo_tables() -> list[str]:
    return [design.qualified_name for design in demo_table_designs()]


def table_state(conn) -> dict[str, tuple[int, str]]:
    """(rows, checksum) of every demo table."""
    return {table: table_checksum(conn, table) for table in demo_tables()}


@pytest.fixture(scope="session")
def verifier_connection(warehouse_connection):
    """The Airflow connection id of the verification identity (set by services.airflow_connections)."""
    return "redshift_verifier"


@pytest.fixture()
def verifier(verifier_connection):
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    with warehouse_from_connection(verifier_connection, load_settings().resolved_include_dir(),
                                   setting="verification_conn_id") as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def sentinel(demo_dsn):
    """Another session on the warehouse (its pid: ``conn.info.backend_pid``), open for the
    whole module: no probe may end it."""
    import psycopg2

    with closing(psycopg2.connect(demo_dsn, application_name="security-sentinel")) as conn:
        conn.autocommit = True
        yield conn


def sentinel_alive(conn) -> bool:
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            return cur.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - a terminated session raises the driver's error
        return False


@pytest.fixture()
def probe_schema(pg):
    """``security_probe.secret`` (one row holding SECRET): the verifier has USAGE on the schema
    but no SELECT on the table. Dropped afterwards (other tests snapshot every user schema)."""
    with pg.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {PROBE_SCHEMA} CASCADE")
        cur.execute(f"CREATE SCHEMA {PROBE_SCHEMA}")
        cur.execute(f"CREATE TABLE {PROBE_SCHEMA}.secret (token text)")
        cur.execute(f"INSERT INTO {PROBE_SCHEMA}.secret VALUES (%s)", (SECRET,))
        cur.execute(f"GRANT USAGE ON SCHEMA {PROBE_SCHEMA} TO optimizer_verifier")
    yield PROBE_SCHEMA
    with pg.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {PROBE_SCHEMA} CASCADE")
