"""Q009 unfiltered-large-scan: a large table read with no predicate restricting it."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.scans import scan_analysis
from redshift_optimizer.sql.trees import stored_output


def _row_count(table: exp.Expression) -> bool:
    """``SELECT COUNT(*) FROM t``: the question is the table's row count, which no filter could
    answer; Redshift reads one column's blocks for it, not the table."""
    select = table.parent.parent if table.parent is not None else None
    if not isinstance(select, exp.Select) or not isinstance(table.parent, exp.From):
        return False
    if any(select.args.get(k) for k in ("where", "group", "having", "joins", "qualify")):
        return False
    return bool(select.expressions) and all(
        isinstance(e.unalias(), exp.Count)
        and isinstance(e.unalias().this, (exp.Star, exp.Literal))
        for e in select.expressions)


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None or stored_output(ctx.original):
        return  # a copy or an export reads every row on purpose; a view's readers bring the filters
    reads = [s for s in ctx.base_reads() if ctx.is_large(s.table)]
    if not reads:
        return
    analysis = scan_analysis(ctx)
    reported: set[str] = set()
    for source in reads:
        if source in analysis.restricted or source.table.table_name in reported:
            continue
        if isinstance(source.node, exp.Table) and _row_count(source.node):
            continue
        reported.add(source.table.table_name)
        sort_key = source.table.sort_keys[0] if source.table.sort_keys else None
        hint = f" (its leading sort key is {sort_key})" if sort_key else ""
        yield Hit(
            message=(
                f"{source.table.table_name} ({evidence.rows(source.table)}) is read with no "
                f"filter and no join to a filtered relation: every block is scanned{hint}"
            ),
            evidence=[evidence.fragment(ctx, source.node), *evidence.table(source.table)],
            table=source.table.table_name,
            node=source.node,
        )


RULE = Rule(
    code="Q009",
    name="unfiltered-large-scan",
    title="Large table scanned without a filter",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A large table is read with no predicate restricting it.",
    documentation=Documentation(
        what=(
            "A large table read with no predicate on it (WHERE, ON, or a filter on a CTE or "
            "derived table built on it) and no join (equality or range) to a relation that is "
            "filtered. "
            "The preserved side of an outer join is not restricted by its ON condition, and a "
            "subquery correlated to an unfiltered outer table is not restricted by the correlation. "
            "`SELECT COUNT(*) FROM t` alone asks for the row count, which no filter could answer: "
            "it is not reported. Nor is the query of a statement that stores what it reads "
            "(INSERT ... SELECT, CREATE TABLE AS, SELECT INTO, UNLOAD: a deep copy or an export "
            "reads every row on purpose) or defines a view (the queries that read it bring "
            "their own filters, which Redshift applies inside the view)."
        ),
        why=(
            "Without a predicate, zone maps cannot skip a single block: the whole table is read "
            "from disk on every slice, and usually redistributed for the joins that follow."
        ),
        anti_pattern="SELECT customer_id, SUM(amount) FROM sales GROUP BY customer_id",
        better="SELECT customer_id, SUM(amount) FROM sales WHERE sale_date >= '2026-01-01' GROUP BY customer_id",
    ),
    fix="Filter it, ideally on its leading sort-key column.",
    check=check,
    needs=("snapshot",),
)
