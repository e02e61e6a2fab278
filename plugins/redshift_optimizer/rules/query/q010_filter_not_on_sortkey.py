"""Q010 filter-not-on-sortkey: a large table is filtered, but never on its leading sort key."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.relations import scan_analysis
from redshift_optimizer.rules.query_context import QueryContext


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    reads = [s for s in ctx.base_reads() if ctx.is_large(s.table) and s.table.sort_keys]
    if not reads:
        return
    analysis = scan_analysis(ctx)
    filtered: dict[str, set[str]] = {}
    first: dict[str, object] = {}
    for source in reads:
        columns = analysis.filter_columns.get(source)
        if not columns:
            continue
        filtered.setdefault(source.table.table_name, set()).update(columns)
        first.setdefault(source.table.table_name, (source, analysis.filter_predicates[source][0]))
    for name, columns in filtered.items():
        source, predicate = first[name]
        leading = source.table.sort_keys[0].lower()
        if leading in columns:
            continue
        if (source.table.sort_key_type or "").upper() == "INTERLEAVED" and \
                columns & {k.lower() for k in source.table.sort_keys}:
            continue  # every column of an interleaved sort key skips blocks equally
        yield Hit(
            message=(
                f"{name} ({evidence.rows(source.table)}) is filtered on "
                f"{', '.join(sorted(columns))} but never on its leading sort-key column "
                f"{leading}: zone maps can only skip blocks by {leading}"
            ),
            evidence=[evidence.fragment(ctx, predicate), *evidence.table(source.table),
                      evidence.column(f"{name}.{leading}", "leading sort key"),
                      *[evidence.column(f"{name}.{c}", "filtered") for c in sorted(columns)]],
            table=name,
            column=leading,
            node=predicate,
        )


RULE = Rule(
    code="Q010",
    name="filter-not-on-sortkey",
    title="Large table filtered, but not on its sort key",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A large table is filtered, but never on its leading sort-key column.",
    documentation=Documentation(
        what=(
            "A large table with filters in the query, none of them on its leading sort-key column "
            "(on any of its sort-key columns when the sort key is INTERLEAVED)."
        ),
        why=(
            "Block skipping works best on the leading column of a compound sort key. A filter on "
            "another column is applied after the blocks are read, so the whole table is scanned."
        ),
        anti_pattern="SELECT SUM(amount) FROM sales WHERE channel = 'web'   -- sort key: sale_date",
        better="SELECT SUM(amount) FROM sales WHERE channel = 'web' AND sale_date >= '2026-05-01'",
    ),
    fix="Filter on the leading sort-key column too, or change the sort key to the dominant filter column (see T013).",
    check=check,
    needs=("snapshot",),
)
