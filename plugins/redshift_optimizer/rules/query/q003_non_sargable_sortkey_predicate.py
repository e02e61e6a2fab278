"""Q003 non-sargable-sortkey-predicate: a filter wraps a sort-key column in a function or cast."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.resolution import ColumnOrigin
from redshift_optimizer.sql.trees import columns_outside_subqueries

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In,
               exp.Like, exp.ILike, exp.NullSafeEQ)


def comparisons(predicate: exp.Expression) -> Iterator[exp.Expression]:
    """Comparisons in a predicate (through AND, OR, NOT), not inside subqueries."""
    stack = [predicate]
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.Subquery, exp.Query)):
            continue
        if isinstance(node, COMPARISONS):
            yield node
            continue
        if isinstance(node, (exp.And, exp.Or, exp.Not, exp.Paren)):
            stack.extend(node.iter_expressions())


def compared_sides(node: exp.Expression) -> list[tuple[exp.Expression, list[exp.Expression]]]:
    """(side, the other sides) pairs of a comparison."""
    if isinstance(node, exp.Between):
        low, high = node.args["low"], node.args["high"]
        return [(node.this, [low, high]), (low, [node.this]), (high, [node.this])]
    if isinstance(node, exp.In):
        if node.args.get("query") is not None:
            return []
        return [(node.this, list(node.expressions))] + [(e, [node.this]) for e in node.expressions]
    return [(node.this, [node.expression]), (node.expression, [node.this])]


def wrapped_column(ctx: QueryContext, side: exp.Expression) -> tuple[exp.Column, ColumnOrigin] | None:
    """The one sort-key column a non-bare expression wraps, if that is what it is."""
    found = wrapping(ctx, side)
    return (found[0], found[1]) if found else None


def wrapping(ctx: QueryContext, side: exp.Expression) -> tuple[exp.Column, ColumnOrigin, exp.Expression] | None:
    """(column, its sort-key origin, the wrapping expression) when ``side`` wraps one sort-key
    column in a function, cast or arithmetic, directly or as a column of a CTE or derived
    table that computes it (``WHERE m = ...`` over ``SELECT DATE_TRUNC('month', d) AS m``)."""
    side = side.unnest() if isinstance(side, exp.Paren) else side
    if side is None or isinstance(side, exp.Literal):
        return None
    if isinstance(side, exp.Column):
        defined = ctx.definition(side)
        if defined is None:
            return None
        side = defined
    columns = list(columns_outside_subqueries(side))
    if len(columns) != 1 or isinstance(side, exp.Column):
        return None
    origin = ctx.origin(columns[0])
    if origin is None or origin.column is None or not origin.column.sort_key_position:
        return None
    if isinstance(side, exp.Cast) and side.to.sql(dialect="redshift").upper().split("(")[0] == \
            origin.column.type.upper().split("(")[0]:
        return None  # a cast to the column's own type changes nothing
    return columns[0], origin, side


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    for scope in ctx.select_scopes():
        for predicate in ctx.filter_predicates(scope):
            for comparison in comparisons(predicate):
                for side, others in compared_sides(comparison):
                    found = wrapping(ctx, side)
                    if found is None or any(list(columns_outside_subqueries(o)) for o in others):
                        continue
                    column, origin, wrapper = found
                    table = origin.table
                    position = origin.column.sort_key_position
                    shown = ctx.fragment(wrapper)
                    shown = shown if len(shown) < 60 else "an expression"
                    through = "" if wrapper is side or (isinstance(side, exp.Paren) and side.unnest() is wrapper) \
                        else f" (through {ctx.fragment(side)})"
                    yield Hit(
                        message=(
                            f"{ctx.fragment(comparison)} wraps sort-key column {origin.qualified} "
                            f"(position {position} of the sort key) in {shown}{through}; "
                            "zone maps hold the bare column's min/max per block, so Redshift "
                            f"cannot skip blocks and scans all {evidence.rows(table)}"
                        ),
                        evidence=[evidence.fragment(ctx, comparison),
                                  evidence.column(origin.qualified, origin.column.type),
                                  evidence.metric(f"{origin.qualified}.sort_key_position", position),
                                  *evidence.table(table)],
                        severity=Severity.HIGH if ctx.is_large(table) else Severity.MEDIUM,
                        table=table.table_name,
                        column=origin.column.name,
                        node=comparison,
                    )
                    break  # one finding per comparison (BETWEEN may wrap the column twice)


RULE = Rule(
    code="Q003",
    name="non-sargable-sortkey-predicate",
    title="Sort-key column wrapped in a function or cast",
    default_severity=Severity.MEDIUM,
    severity_text="HIGH on a large table, else MEDIUM",
    summary="A filter wraps a sort-key column in a function, cast or arithmetic.",
    documentation=Documentation(
        what=(
            "A filter (WHERE or JOIN ... ON, also of UPDATE and DELETE) comparing a constant "
            "with an expression over a sort-key column: TRUNC, DATE_TRUNC, EXTRACT, CAST or `::`, "
            "UPPER, COALESCE, arithmetic on the column, and so on; on either side of the "
            "comparison, inside BETWEEN or IN, or through a CTE or derived-table column that "
            "computes such an expression."
        ),
        why=(
            "Redshift keeps the minimum and maximum of each 1 MB block of a column (zone maps) "
            "and skips blocks outside a filter's range, but only for the bare column. Wrapped "
            "in a function the filter cannot use them: every block of the table is read."
        ),
        anti_pattern="SELECT SUM(amount) FROM sales WHERE DATE_TRUNC('month', sale_date) = '2026-03-01'",
        better="SELECT SUM(amount) FROM sales WHERE sale_date >= '2026-03-01' AND sale_date < '2026-04-01'",
    ),
    fix="Compare the bare sort-key column with a range of constants.",
    check=check,
    needs=("snapshot",),
)
