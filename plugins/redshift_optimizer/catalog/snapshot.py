"""The schema snapshot: tables, columns and physical design, in three set-based round trips."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime
from typing import Any, Iterable

from redshift_optimizer.models.lake import (
    ColumnSnapshot,
    SchemaSnapshot,
    SnapshotSource,
    TableSnapshot,
    utc_timestamp,
)
from redshift_optimizer.warehouse import Warehouse

# Redshift reports catalog types in their long SQL names; the snapshot uses the DDL names.
_TYPE_NAMES = [
    (re.compile(r"^character varying(\(.*\))?$"), "VARCHAR"),
    (re.compile(r"^character(\(.*\))?$"), "CHAR"),
    (re.compile(r"^numeric(\(.*\))?$"), "DECIMAL"),
    (re.compile(r"^timestamp without time zone()$"), "TIMESTAMP"),
    (re.compile(r"^timestamp with time zone()$"), "TIMESTAMPTZ"),
    (re.compile(r"^time without time zone()$"), "TIME"),
    (re.compile(r"^time with time zone()$"), "TIMETZ"),
]
_DISTSTYLE = re.compile(r"^(?:(AUTO)\()?(KEY|EVEN|ALL)(?:\((.+?)\))?\)?$", re.I)


def canonical_type(data_type: str) -> str:
    """``character varying(256)`` -> ``VARCHAR(256)``; other names upper-cased."""
    text = data_type.strip().lower()
    for pattern, name in _TYPE_NAMES:
        match = pattern.match(text)
        if match:
            return f"{name}{(match.group(1) or '').upper()}"
    return text.upper()


def parse_diststyle(value: str | None) -> tuple[str | None, str | None]:
    """SVV_TABLE_INFO.diststyle (``KEY(c)``, ``AUTO(KEY(c))``, ``EVEN`` ...) -> (style, key)."""
    if not value:
        return None, None
    match = _DISTSTYLE.match(value.strip())
    if not match:
        return None, None
    auto, style, key = match.groups()
    style = style.upper()
    return (f"AUTO({style})" if auto else style), key


def _sort_key_type(sortkey1: str | None, positions: list[int]) -> str | None:
    if sortkey1 and sortkey1.upper().startswith("AUTO"):
        return "AUTO"
    if any(p < 0 for p in positions):
        return "INTERLEAVED"
    return "COMPOUND" if any(positions) else None


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def schema_version(tables: Iterable[TableSnapshot]) -> str:
    """sha256 of the normalized table/column list: changes when a name or type changes."""
    lines = sorted(
        f"{t.table_name.lower()}|{c.name.lower()}|{c.type.upper()}"
        for t in tables
        for c in t.columns
    )
    lines += sorted(t.table_name.lower() for t in tables if not t.columns)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def extract_schema_snapshot(
    warehouse: Warehouse, extracted_at: datetime, schemas: Iterable[str] = ()
) -> SchemaSnapshot:
    """Tables, columns, design and health metrics of the warehouse's user schemas.

    Three statements (tables, columns, primary keys) whatever the number of tables.
    """
    params = {"schemas": ",".join(schemas)}
    table_rows = warehouse.run("catalog_tables", params)
    column_rows = warehouse.run("catalog_columns", params)
    key_rows = warehouse.run("catalog_primary_keys", params)

    columns: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in column_rows:
        columns[(row["schema_name"], row["table_name"])].append(row)
    primary_keys: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in key_rows:
        primary_keys[(row["schema_name"], row["table_name"])].append(row["column_name"])

    tables = [
        _table(row, columns[(row["schema_name"], row["table_name"])],
               primary_keys[(row["schema_name"], row["table_name"])])
        for row in table_rows
    ]
    return SchemaSnapshot(
        extract_timestamp=utc_timestamp(extracted_at),
        source=SnapshotSource(
            engine=warehouse.engine, database=warehouse.database, serverless=warehouse.serverless
        ),
        schema_version=schema_version(tables),
        tables=tables,
    )


def _table(row: dict[str, Any], column_rows: list[dict[str, Any]], primary_key: list[str]) -> TableSnapshot:
    dist_style, dist_key = parse_diststyle(row.get("diststyle"))
    distkey_columns = [c["column_name"] for c in column_rows if c.get("distkey")]
    if dist_key is None and distkey_columns:
        dist_key = distkey_columns[0]
    sort_positions = [int(c["sortkey"] or 0) for c in column_rows]
    sorted_columns = sorted(
        (c for c in column_rows if c["sortkey"]), key=lambda c: abs(int(c["sortkey"]))
    )
    column_models = [
        ColumnSnapshot(
            name=c["column_name"],
            type=canonical_type(c["data_type"]),
            encoding=_encoding(c.get("encoding")),
            nullable=str(c.get("is_nullable", "")).strip().upper() != "NO",
            dist_key=c["column_name"] == dist_key,
            sort_key_position=abs(int(c["sortkey"] or 0)),
        )
        for c in column_rows
    ]
    in_table_info = row.get("tbl_rows") is not None
    encoded = row.get("encoded")
    return TableSnapshot(
        table_name=f"{row['schema_name']}.{row['table_name']}",
        # SVV_TABLE_INFO leaves out empty tables: a table missing there holds no rows.
        row_count=_integer(row["tbl_rows"]) if in_table_info else 0,
        size_mb=_number(row.get("size_mb")),
        dist_style=dist_style,
        dist_key=dist_key,
        sort_keys=[c["column_name"] for c in sorted_columns],
        sort_key_type=_sort_key_type(row.get("sortkey1"), sort_positions),
        skew_rows=_number(row.get("skew_rows")),
        unsorted_pct=_number(row.get("unsorted")),
        stats_off=_number(row.get("stats_off")),
        estimated_visible_rows=_integer(row.get("estimated_visible_rows")) if in_table_info else 0,
        vacuum_sort_benefit=_number(row.get("vacuum_sort_benefit")),
        encoded=(str(encoded).strip().upper().startswith("Y") if encoded is not None
                 else any(c.encoding not in (None, "RAW") for c in column_models)),
        max_varchar=_integer(row.get("max_varchar")),
        primary_key=primary_key,
        columns=column_models,
    )


def _encoding(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    return "RAW" if text in ("NONE", "") else text
