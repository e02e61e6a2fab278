"""The data profile: per table one aggregate statement pushed into the warehouse.

Nulls, distinct estimate, min, max, avg and max length for every profiled column in one
pass; a second pass (GROUPING SETS) for the top values of the low-cardinality columns.
No row-level data leaves the warehouse. Large tables are profiled on a random sample.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Callable

from redshift_optimizer.models.lake import (
    ColumnProfile,
    DataProfile,
    SchemaSnapshot,
    TableProfile,
    TableSnapshot,
    TopValue,
    utc_timestamp,
)
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.warehouse import Warehouse, fill_template

_CATEGORIES = {
    "numeric": ("SMALLINT", "INTEGER", "BIGINT", "INT", "INT2", "INT4", "INT8", "DECIMAL",
                "NUMERIC", "REAL", "FLOAT", "FLOAT4", "FLOAT8", "DOUBLE PRECISION"),
    "text": ("VARCHAR", "CHAR", "CHARACTER", "NCHAR", "NVARCHAR", "TEXT", "BPCHAR"),
    "temporal": ("DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ"),
    "other": ("BOOLEAN", "BOOL"),
}


def column_category(column_type: str) -> str | None:
    """numeric, text, temporal or other; None for types not profiled (SUPER, GEOMETRY ...)."""
    base = column_type.upper().split("(")[0].strip()
    return next((name for name, types in _CATEGORIES.items() if base in types), None)


def profile_table(
    warehouse: Warehouse,
    table: TableSnapshot,
    sample_rows: int,
    top_values_max_distinct: int,
    top_values_count: int,
) -> TableProfile:
    """Profile one table in one aggregate statement (plus one for its top values)."""
    profiled = [(i, c) for i, c in enumerate(table.columns) if column_category(c.type)]
    row_count = table.row_count or 0
    sampled = row_count > sample_rows
    fraction = min(1.0, sample_rows / row_count) if sampled else 1.0
    quoted_table = quote_identifier(table.table_name)
    distinct = warehouse.statement("profile_distinct").strip()

    fragments = []
    for index, column in profiled:
        slots = {"column": quote_identifier(column.name), "index": str(index)}
        slots["distinct"] = fill_template(distinct, slots)
        fragments.append(warehouse.statement(f"profile_column_{column_category(column.type)}", slots))
    stats = warehouse.run(
        "profile_table",
        {"sample_fraction": fraction},
        {"table": quoted_table, "column_aggregates": "\n".join(f.strip() for f in fragments)},
    )[0]
    scanned = int(stats["sample_rows"] or 0)

    columns: list[ColumnProfile] = []
    for index, column in profiled:
        get: Callable[[str], object] = lambda key, i=index: stats.get(f"c{i}_{key}")  # noqa: E731
        non_null = int(get("non_null") or 0)
        avg = get("avg")
        max_length = get("max_length")
        distinct_count = get("distinct")
        columns.append(ColumnProfile(
            name=column.name,
            type=column.type,
            null_count=scanned - non_null,
            null_ratio=round((scanned - non_null) / scanned, 6) if scanned else None,
            distinct_estimate=None if distinct_count is None else int(distinct_count),
            min=None if get("min") is None else str(get("min")),
            max=None if get("max") is None else str(get("max")),
            avg=None if avg is None else round(float(avg), 6),
            max_length=None if max_length is None else int(max_length),
        ))

    low_cardinality = [
        (index, col) for (index, _), col in zip(profiled, columns)
        if col.distinct_estimate is not None and 0 < col.distinct_estimate <= top_values_max_distinct
    ]
    if low_cardinality:
        tops = _top_values(warehouse, quoted_table, table, [i for i, _ in low_cardinality], fraction)
        for index, col in low_cardinality:
            ranked = sorted(tops.get(index, []), key=lambda tv: (-tv.count, str(tv.value)))
            col.top_values = ranked[:top_values_count]

    return TableProfile(
        table_name=table.table_name,
        row_count=table.row_count,
        sampled=sampled,
        sample_rows=scanned if sampled else None,
        columns=columns,
    )


def _top_values(
    warehouse: Warehouse, quoted_table: str, table: TableSnapshot, indexes: list[int], fraction: float
) -> dict[int, list[TopValue]]:
    quoted = {i: quote_identifier(table.columns[i].name) for i in indexes}
    grouping_columns = ", ".join(
        warehouse.statement("profile_top_value_column", {"column": quoted[i], "index": str(i)}).strip()
        for i in indexes
    )
    rows = warehouse.run(
        "profile_top_values",
        {"sample_fraction": fraction},
        {
            "table": quoted_table,
            "grouping_columns": grouping_columns,
            "grouping_sets": ", ".join(f"({quoted[i]})" for i in indexes),
        },
    )
    values: dict[int, list[TopValue]] = defaultdict(list)
    for row in rows:
        for i in indexes:
            if row[f"g{i}"] == 0:
                value = row[f"v{i}"]
                values[i].append(TopValue(value=None if value is None else str(value),
                                          count=int(row["value_count"])))
    return values


def profile_snapshot(
    warehouse: Warehouse,
    snapshot: SchemaSnapshot,
    extracted_at: datetime,
    *,
    sample_rows: int,
    top_values_max_distinct: int,
    top_values_count: int,
    max_tables: int,
    progress: Callable[[str], None] = lambda message: None,
) -> DataProfile:
    """Profile the snapshot's non-empty tables, largest first, up to ``max_tables``."""
    candidates = sorted(
        (t for t in snapshot.tables if t.row_count),
        key=lambda t: (-(t.row_count or 0), t.table_name),
    )[:max_tables]
    profiles = []
    for number, table in enumerate(candidates, 1):
        progress(f"profiling {table.table_name} ({number}/{len(candidates)}, {table.row_count} rows)")
        profiles.append(profile_table(
            warehouse, table, sample_rows, top_values_max_distinct, top_values_count
        ))
    return DataProfile(extract_timestamp=utc_timestamp(extracted_at), tables=profiles)
