"""Evidence shorthands shared by the rules: the facts a finding rests on."""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.findings import Evidence
from redshift_optimizer.models.lake import TableSnapshot
from redshift_optimizer.rules.query_context import QueryContext


def fragment(ctx: QueryContext, node: exp.Expression, name: str = "query") -> Evidence:
    """The offending part of the query, as the user wrote it."""
    return Evidence(kind="fragment", name=name, value=ctx.fragment(node))


def table(table: TableSnapshot | None, written: str = "") -> list[Evidence]:
    """The table, and its row count when the snapshot knows it."""
    if table is None:
        return [Evidence(kind="table", name=written)] if written else []
    facts = [Evidence(kind="table", name=table.table_name)]
    if table.row_count is not None:
        facts.append(Evidence(kind="metric", name=f"{table.table_name}.row_count", value=table.row_count))
    return facts


def metric(name: str, value: object) -> Evidence:
    return Evidence(kind="metric", name=name, value=value)


def column(qualified: str, value: object = None) -> Evidence:
    return Evidence(kind="column", name=qualified, value=value)


def setting(name: str, value: object) -> Evidence:
    return Evidence(kind="setting", name=name, value=value)


def rows(table: TableSnapshot | None) -> str:
    """'12,543,098 rows' or 'unknown size'."""
    if table is None or table.row_count is None:
        return "unknown size"
    return f"{table.row_count:,} rows"
