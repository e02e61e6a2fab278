"""Q012 correlated-subquery: a subquery that references a column of an outer query."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, ScopeType

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def outer_references(ctx: QueryContext, scope: Scope) -> list[exp.Column]:
    """Columns of the subquery (not of its own nested subqueries) that belong to an outer query."""
    return [c for c in ctx.columns_of(scope)
            if not isinstance(c.this, exp.Star) and not _own_alias(ctx, c, scope)
            and ctx.is_outer_reference(c, scope)]


def _own_alias(ctx: QueryContext, column: exp.Column, scope: Scope) -> bool:
    """An unqualified name that is an output alias of the subquery itself (ORDER BY total)."""
    return not column.table and ctx._is_projection_alias(column.name, scope)


def _clause(node: exp.Expression) -> str:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, (exp.Where, exp.Having)):
            return parent.key.upper()
        if isinstance(parent, exp.Join):
            return "JOIN"
        node, parent = parent, parent.parent
    return "SELECT list" if parent is not None else "query"


def _qualified(ctx: QueryContext, column: exp.Column) -> str:
    """``schema.table.column`` of an outer reference when the snapshot knows it, else as written."""
    origin = ctx.origin(column)
    if origin is not None and origin.table is not None:
        return origin.qualified
    return column.sql(dialect="redshift")


def check(ctx: QueryContext) -> Iterator[Hit]:
    for scope in ctx.scopes:
        if scope.scope_type != ScopeType.SUBQUERY:
            continue
        refs = outer_references(ctx, scope)
        if not refs:
            continue
        subquery = scope.expression.parent if isinstance(scope.expression.parent, exp.Subquery) else scope.expression
        where = _clause(subquery)
        names = ", ".join(dict.fromkeys(c.sql(dialect="redshift") for c in refs))
        kind = "EXISTS " if isinstance(subquery.parent, exp.Exists) else ""
        yield Hit(
            message=(
                f"the {kind}subquery in the {where} references {names} of the outer query: "
                "unless Redshift can decorrelate it, it is evaluated per outer row, or joined "
                "after a broadcast"
            ),
            evidence=[evidence.fragment(ctx, subquery),
                      *[evidence.column(_qualified(ctx, c), "outer reference") for c in refs[:5]]],
            table=next((o.table.table_name for o in map(ctx.origin, refs) if o and o.table), None),
            node=subquery,
        )


RULE = Rule(
    code="Q012",
    name="correlated-subquery",
    title="Correlated subquery",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A subquery references an outer column, in SELECT or WHERE.",
    documentation=Documentation(
        what="A subquery (scalar, IN or EXISTS) that references a column of an enclosing query.",
        why=(
            "A correlated subquery is logically run once per outer row. Redshift decorrelates "
            "simple cases; others become nested loops or broadcasts of the inner relation."
        ),
        anti_pattern=(
            "SELECT p.id, (SELECT AVG(l.qty) FROM lineitem l WHERE l.part_id = p.id) FROM part p"
        ),
        better=(
            "SELECT p.id, a.avg_qty FROM part p LEFT JOIN (SELECT part_id, AVG(qty) AS avg_qty "
            "FROM lineitem GROUP BY part_id) a ON a.part_id = p.id"
        ),
    ),
    fix="Rewrite as a join to a grouped derived table (or a semi-join for EXISTS).",
    check=check,
)
