"""Table rules from the workload: dist and sort keys against how queries use the table (T012, T013)."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def _counts(counter) -> list:
    return [evidence.metric(f"executions using {column}", count) for column, count in counter.most_common(5)]


def t012(ctx: TableContext) -> Iterator[Hit]:
    if ctx.workload is None or not ctx.is_large():
        return
    joins = ctx.workload.joins.get(ctx.name)
    if not joins:
        return
    column, count = joins.most_common(1)[0]
    current = (ctx.table.dist_key or "").lower()
    if column == current or (ctx.table.dist_style or "") in ("ALL", "AUTO(ALL)"):
        return
    if current and joins.get(current, 0) >= count:
        return  # the dist key is joined as often as any other column
    yield Hit(
        message=(f"{ctx.name} is joined most often on {column} ({count} executions in the window) but "
                 f"distributed on {current or ctx.table.dist_style or 'nothing'}: those joins redistribute it"),
        evidence=[*evidence.table(ctx.table), evidence.metric(f"{ctx.name}.dist_key", ctx.table.dist_key),
                  *_counts(joins)],
        table=ctx.name, column=column,
        fix=f"ALTER TABLE {ctx.name} ALTER DISTKEY {column};",
    )


def t013(ctx: TableContext) -> Iterator[Hit]:
    if ctx.workload is None or not ctx.is_large():
        return
    filters = ctx.workload.filters.get(ctx.name)
    if not filters:
        return
    column, count = filters.most_common(1)[0]
    leading = ctx.table.sort_keys[0].lower() if ctx.table.sort_keys else ""
    if column == leading or ctx.table.sort_key_type == "AUTO":
        return
    if leading and filters.get(leading, 0) >= count:
        return  # the leading sort key is filtered as often as any other column
    if (ctx.table.sort_key_type or "").upper() == "INTERLEAVED" and column in {k.lower() for k in ctx.table.sort_keys}:
        return  # each column of an interleaved sort key skips blocks equally
    yield Hit(
        message=(f"{ctx.name} is filtered most often on {column} ({count} executions in the window) but "
                 f"its leading sort key is {leading or 'missing'}: those filters cannot skip blocks"),
        evidence=[*evidence.table(ctx.table), evidence.metric(f"{ctx.name}.sort_keys", ctx.table.sort_keys),
                  *_counts(filters)],
        table=ctx.name, column=column,
        fix=f"ALTER TABLE {ctx.name} ALTER COMPOUND SORTKEY ({column});",
    )


RULES = [
    Rule(code="T012", name="distkey-not-dominant-join-column", title="Dist key is not the usual join column",
         default_severity=Severity.MEDIUM, severity_text="MEDIUM",
         summary="Workload: a large table is most often joined on a column other than its dist key.",
         documentation=Documentation(
             what="A large table whose most frequent equality-join column in the slow-query window "
                  "(weighted by executions; ON, WHERE, USING and correlated subqueries count) is not "
                  "its dist key, and is joined more often than the dist key.",
             why="Joins on the dist key are local to each slice; joins on any other column move the "
                 "table across the network each time.",
             anti_pattern="-- orders DISTKEY(customer_id), joined to lineitem on order_id 40 times a day",
             better="ALTER TABLE orders ALTER DISTKEY order_id;"),
         fix="ALTER DISTKEY to the dominant join column (the join counts are the evidence).",
         check=t012, scope="table", needs=("workload",)),
    Rule(code="T013", name="sortkey-not-dominant-filter-column", title="Sort key is not the usual filter column",
         default_severity=Severity.MEDIUM, severity_text="MEDIUM",
         summary="Workload: a large table is most often filtered on a column other than its leading sort key.",
         documentation=Documentation(
             what="A large table whose most frequent filter column in the slow-query window (weighted by "
                  "executions; SELECT, UPDATE and DELETE filters count) is not the leading column of "
                  "its sort key, and is filtered more often than that column.",
             why="Only filters on the leading sort-key column skip blocks well; the others read the table.",
             anti_pattern="-- events SORTKEY(event_id), filtered on event_ts in 90% of queries",
             better="ALTER TABLE events ALTER COMPOUND SORTKEY (event_ts);"),
         fix="ALTER SORTKEY to the dominant filter column (the filter counts are the evidence).",
         check=t013, scope="table", needs=("workload",)),
]
