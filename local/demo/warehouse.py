"""The demo warehouse: the eight TPC-H tables on the local PostgreSQL, with the physical design
their Redshift DDL declares recorded in ``redshift_system.table_design`` / ``column_design``.

The DDL files under ``ddl/`` are Redshift's (DISTKEY, SORTKEY, ENCODE); each one says at its
top which design choices are deliberately poor and which T findings they should raise. The
data is generated inside PostgreSQL from hashes of row keys, so a scale always yields the
same bytes. Every statement is a file under ``sql/``; the generators take psycopg2
``%(name)s`` parameters and therefore write the modulo operator as ``mod()``.

    python -m local.demo.warehouse --dsn postgresql://postgres@127.0.0.1:5432/demo --scale 0.2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from psycopg2 import sql

from local.demo.redshift_ddl import TableDesign, read_table_ddl
from local.demo.statements import execute, identifier, statement

DEMO_DIR = Path(__file__).resolve().parent
DDL_DIR = DEMO_DIR / "ddl"

DEFAULT_SCALE = 0.2
# 10 suppliers and 150 customers: smaller tables say nothing, and a part needs four suppliers.
MIN_SCALE = 0.001

# lineitem comes before orders because an order's status and total price follow from its lines.
LOAD_ORDER = ("region", "nation", "supplier", "customer", "part", "partsupp", "lineitem", "orders")

# Rows at scale factor 1 (TPC-H 4.2.5); partsupp is 4 x part, lineitem 1 to 7 lines per order.
ROWS_AT_SCALE_1 = {"supplier": 10_000, "customer": 150_000, "part": 200_000, "orders": 1_500_000}
FIXED_ROWS = {"region": 5, "nation": 25}
# TPC-H has 1,000 clerks per scale factor; sales reps are the demo's own extra column.
CLERKS_AT_SCALE_1 = 1_000
SALES_REPS_AT_SCALE_1 = 200

# Tables whose nightly refresh the loader replays after ANALYZE: every row deleted and inserted
# again, with no VACUUM or ANALYZE after it, so the demo has ghost rows (T011) and stale
# statistics (T006) to find. The data stays the same.
REFRESHED_WITHOUT_MAINTENANCE = ("supplier",)

GENERATOR_FUNCTIONS = (
    "create_function_rand",
    "create_function_pick",
    "create_function_words",
    "create_function_lines_in_order",
)
DESIGN_TABLES = ("create_schema_redshift_system", "create_table_design", "create_column_design")


def demo_table_designs() -> list[TableDesign]:
    """The declared design of every demo table, in load order."""
    designs = {p.stem: read_table_ddl(p) for p in DDL_DIR.glob("*.sql")}
    if set(designs) != set(LOAD_ORDER):
        raise RuntimeError(f"DDL files {sorted(designs)} do not match the load order {LOAD_ORDER}")
    return [designs[name] for name in LOAD_ORDER]


def generation_parameters(scale: float) -> dict[str, int]:
    """Row counts and other sizes the generators take at ``scale``."""
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE}, got {scale}")
    params = {table: max(1, round(rows * scale)) for table, rows in ROWS_AT_SCALE_1.items()}
    return {
        "suppliers": params["supplier"],
        "customers": params["customer"],
        "parts": params["part"],
        "orders": params["orders"],
        "clerks": max(10, round(CLERKS_AT_SCALE_1 * scale)),
        "sales_reps": max(10, round(SALES_REPS_AT_SCALE_1 * scale)),
    }


def load_demo_warehouse(conn, *, scale: float = DEFAULT_SCALE, rebuild: bool = False) -> dict:
    """Create and fill the demo tables at ``scale`` unless they are already there; a summary.

    ``conn`` is an open psycopg2 connection in autocommit mode. The rebuild runs in one
    transaction, so a failed load leaves the previous tables in place; ANALYZE and the replayed
    refresh of REFRESHED_WITHOUT_MAINTENANCE follow the commit. The summary has
    ``status`` ("loaded" or "unchanged"), ``scale``, ``seconds`` and ``tables``
    (``schema.table`` -> ``{"rows": n, "seconds": s}``).
    """
    started = time.perf_counter()
    params = generation_parameters(scale)
    designs = demo_table_designs()
    with conn.cursor() as cur:
        for name in (*DESIGN_TABLES, *GENERATOR_FUNCTIONS):
            execute(cur, name)
        present = None if rebuild else _loaded_row_counts(cur, designs, params)
    if present is not None:
        tables = {name: {"rows": rows, "seconds": 0.0} for name, rows in present.items()}
        return _summary("unchanged", scale, tables, started)

    tables = {}
    with _transaction(conn), conn.cursor() as cur:
        for design in reversed(designs):
            execute(cur, "drop_table", table=identifier(design.qualified_name))
        for schema in dict.fromkeys(d.schema for d in designs):
            execute(cur, "create_schema", schema=sql.Identifier(schema))
        for design in designs:
            table_started = time.perf_counter()
            rows = _load_table(cur, design, params)
            tables[design.qualified_name] = {"rows": rows, "seconds": time.perf_counter() - table_started}
    with conn.cursor() as cur:
        execute(cur, "flush_activity_statistics")
        for design in designs:
            table_started = time.perf_counter()
            execute(cur, "analyze_table", table=identifier(design.qualified_name))
            if design.name in REFRESHED_WITHOUT_MAINTENANCE:
                _replay_refresh(cur, design, params)
            summary = tables[design.qualified_name]
            summary["seconds"] = round(summary["seconds"] + time.perf_counter() - table_started, 3)
    return _summary("loaded", scale, tables, started)


def table_checksum(conn, table: str) -> tuple[int, str]:
    """Row count and md5 of a table's rows in a fixed order: equal checksums, equal data."""
    with conn.cursor() as cur:
        execute(cur, "table_checksum", table=identifier(table))
        count, checksum = cur.fetchone()
    return count, checksum


def _load_table(cur, design: TableDesign, params: dict[str, int]) -> int:
    table = identifier(design.qualified_name)
    cur.execute(design.postgres_ddl)
    if design.name == "lineitem":
        # Drawn once for both lineitem and orders, which follows it in LOAD_ORDER.
        execute(cur, "create_order_seed", params)
    execute(cur, f"generate_{design.name}", params)
    rows = cur.rowcount
    if design.primary_key:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in design.primary_key)
        execute(cur, "add_primary_key", table=table, columns=columns)
    _record_design(cur, design)
    return rows


def _replay_refresh(cur, design: TableDesign, params: dict[str, int]) -> None:
    table = identifier(design.qualified_name)
    execute(cur, "disable_autovacuum", table=table)
    execute(cur, "delete_all_rows", table=table)
    execute(cur, f"generate_{design.name}", params)


def _record_design(cur, design: TableDesign) -> None:
    key = {"schema_name": design.schema, "table_name": design.name}
    execute(cur, "delete_table_design", key)
    execute(cur, "delete_column_design", key)
    execute(
        cur,
        "insert_table_design",
        {
            **key,
            "diststyle": design.diststyle,
            "distkey": design.distkey,
            "sortkey_type": design.sortkey_type,
        },
    )
    cur.executemany(
        statement("insert_column_design"),
        [
            {
                **key,
                "column_name": c.name,
                "encoding": c.encoding,
                "sortkey_position": c.sortkey_position,
            }
            for c in design.columns
        ],
    )


def _loaded_row_counts(cur, designs: list[TableDesign], params: dict[str, int]) -> dict | None:
    """Row counts when every table holds the expected rows and its recorded design; else None."""
    execute(cur, "expected_lineitem_rows", params)
    expected = {
        **FIXED_ROWS,
        "supplier": params["suppliers"],
        "customer": params["customers"],
        "part": params["parts"],
        "partsupp": 4 * params["parts"],
        "orders": params["orders"],
        "lineitem": cur.fetchone()[0],
    }
    counts = {}
    for design in designs:
        execute(cur, "table_exists", {"table": design.qualified_name})
        if not cur.fetchone()[0]:
            return None
        execute(cur, "count_rows", table=identifier(design.qualified_name))
        rows = cur.fetchone()[0]
        if rows != expected[design.name] or _recorded_design(cur, design) != _declared_design(design):
            return None
        counts[design.qualified_name] = rows
    return counts


def _declared_design(design: TableDesign) -> tuple:
    return (
        (design.diststyle, design.distkey, design.sortkey_type),
        sorted((c.name, c.encoding, c.sortkey_position) for c in design.columns),
    )


def _recorded_design(cur, design: TableDesign) -> tuple:
    key = {"schema_name": design.schema, "table_name": design.name}
    execute(cur, "select_table_design", key)
    table_row = cur.fetchone()
    execute(cur, "select_column_design", key)
    return (tuple(table_row) if table_row else None, sorted(tuple(r) for r in cur.fetchall()))


def _summary(status: str, scale: float, tables: dict, started: float) -> dict:
    return {
        "status": status,
        "scale": scale,
        "seconds": round(time.perf_counter() - started, 3),
        "tables": tables,
    }


@contextmanager
def _transaction(conn) -> Iterator[None]:
    previous = conn.autocommit
    conn.autocommit = False
    try:
        yield
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.autocommit = previous


def main(argv: list[str] | None = None) -> int:
    """Command line: load the demo warehouse and print the summary as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m local.demo.warehouse",
        description=(
            "Create the TPC-H demo tables (schema tpch) on a PostgreSQL database standing in "
            "for Redshift, fill them with deterministic data and record their declared "
            "Redshift design in redshift_system.table_design / column_design. Does nothing "
            "when the tables already hold the expected rows."
        ),
        epilog="example: python -m local.demo.warehouse --dsn postgresql://postgres@127.0.0.1:55432/warehouse --scale 0.01 --rebuild",
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get("DEMO_DSN"),
        help="libpq connection string or URL of the demo database (default: $DEMO_DSN)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help=f"TPC-H scale factor; {DEFAULT_SCALE} gives about 1.2M lineitem rows "
        f"(default {DEFAULT_SCALE}, minimum {MIN_SCALE})",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="drop and reload even if the tables look complete"
    )
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("--dsn is required (or set DEMO_DSN)")
    conn = psycopg2.connect(args.dsn)
    conn.autocommit = True
    try:
        summary = load_demo_warehouse(conn, scale=args.scale, rebuild=args.rebuild)
    finally:
        conn.close()
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
