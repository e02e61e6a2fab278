"""Catalog extraction time and round trips for 100, 1,000 and 10,000 synthetic tables of 20
columns on the local engine. Prints figures; not a test.

The round trips must not grow with the number of tables: the snapshot is three set-based
statements (tables, columns, primary keys) whatever the warehouse holds.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".local" / "bench" / "airflow"))

import psycopg2  # noqa: E402

from local import services  # noqa: E402
from local.postgres import LocalPostgres  # noqa: E402

SIZES = (100, 1_000, 10_000)
COLUMNS = 20
REPEATS = 3


def ensure_tables(dsn: str, schema: str, count: int) -> None:
    """``count`` tables of 20 columns in ``schema``, one row each, analysed (kept between runs)."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,))
        if cur.fetchone()[0] == count:
            conn.close()
            return
        cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        columns = ", ".join(
            f"c{i} {'INTEGER' if i % 3 == 0 else 'VARCHAR(64)' if i % 3 == 1 else 'DATE'}"
            for i in range(COLUMNS)
        )
        values = ", ".join("1" if i % 3 == 0 else "'x'" if i % 3 == 1 else "DATE '2026-01-01'"
                           for i in range(COLUMNS))
        for start in range(0, count, 500):
            cur.execute(";".join(
                f'CREATE TABLE "{schema}".t{n} (id BIGINT PRIMARY KEY, {columns});'
                f'INSERT INTO "{schema}".t{n} VALUES ({n}, {values})'
                for n in range(start, min(start + 500, count))
            ))
        cur.execute('ANALYZE')
    conn.close()


def main() -> None:
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    # Every statement is logged at INFO for the task logs; here it would bury the figures.
    logging.getLogger("redshift_optimizer.warehouse").setLevel(logging.WARNING)
    server = LocalPostgres(ROOT / ".local" / "bench" / "postgres", port=0)
    was_running = server.running_port() is not None
    server.start()
    try:
        dsn = services.prepare_warehouse(server)
        os.environ.update(services.airflow_connections(dsn))
        include = load_settings().resolved_include_dir()
        print(f"{'tables':>8} {'columns':>8} {'round trips':>12} {'median s':>9} {'ms/table':>9}")
        for size in SIZES:
            schema = f"bench_{size}"
            ensure_tables(dsn, schema, size)
            times, trips = [], set()
            for _ in range(REPEATS):
                with warehouse_from_connection("redshift_default", include) as warehouse:
                    started = time.perf_counter()
                    snapshot = extract_schema_snapshot(warehouse, datetime.now(timezone.utc), [schema])
                    times.append(time.perf_counter() - started)
                    trips.add(warehouse.round_trips)
                assert len(snapshot.tables) == size
            median = statistics.median(times)
            print(f"{size:>8} {size * (COLUMNS + 1):>8} {'/'.join(map(str, sorted(trips))):>12} "
                  f"{median:>9.2f} {1000 * median / size:>9.2f}")
    finally:
        if not was_running:
            server.stop()


if __name__ == "__main__":
    main()
