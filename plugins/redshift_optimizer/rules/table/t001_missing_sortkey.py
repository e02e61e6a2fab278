"""T001 missing-sortkey: large table without a sort key."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.sort_keys or t.sort_key_type == "AUTO" or t.row_count is None:
        return
    if any(c.sort_key_position for c in t.columns) or t.row_count < ctx.settings.missing_sortkey_min_rows:
        return
    top = ctx.workload.filters.get(t.table_name, {}) if ctx.workload else {}
    hint = f"; the workload filters it most on {top.most_common(1)[0][0]}" if top else ""
    yield Hit(
        message=f"{t.table_name} has {t.row_count:,} rows and no sort key: every query scans all of its blocks{hint}",
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.sort_keys", []),
                  evidence.setting("missing_sortkey_min_rows", ctx.settings.missing_sortkey_min_rows)],
        table=t.table_name,
    )


RULE = Rule(
    code="T001",
    name="missing-sortkey",
    title="Large table without a sort key",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="No sort key (and not AUTO) on a table with at least 5,000,000 rows.",
    documentation=Documentation(
        what=(
            "A table of at least `missing_sortkey_min_rows` rows with no sort key and sort key type "
            "not AUTO."
        ),
        why=(
            "Zone maps only skip blocks when the data is sorted on the filtered column; unsorted, "
            "every query reads every block."
        ),
        anti_pattern=(
            "CREATE TABLE sales (sale_id BIGINT, sale_date DATE, amount DECIMAL(12,2)) "
            "DISTKEY(sale_id);"
        ),
        better="ALTER TABLE sales ALTER COMPOUND SORTKEY (sale_date);",
    ),
    fix="Add a sort key on the dominant filter column (or SORTKEY AUTO).",
    check=check,
    scope="table",
)
