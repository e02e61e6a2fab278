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


def _predicate_kind(subquery: exp.Expression) -> str:
    """How the subquery is used: ``exists`` (EXISTS / NOT EXISTS), ``in`` (IN / NOT IN / ANY),
    or ``scalar`` (a value in SELECT, WHERE or HAVING)."""
    parent = subquery.parent
    if isinstance(parent, exp.Exists):
        return "exists"
    if isinstance(parent, exp.In) and parent.args.get("query") is subquery:
        return "in"
    if isinstance(parent, (exp.Any, exp.All)):
        return "in"
    return "scalar"


def equality_correlated(ctx: QueryContext, scope: Scope, refs: list[exp.Column]) -> bool:
    """Whether every outer reference sits in the subquery's WHERE, at least one in an
    AND-ed equality between an inner and an outer column: the shape Redshift's planner
    decorrelates into a (semi-, anti- or outer) hash join on those columns. Other outer
    references may add residual conditions (``l2.l_suppkey <> l1.l_suppkey``)."""
    select = scope.expression
    where = select.args.get("where") if isinstance(select, exp.Select) else None
    if where is None:
        return False
    ids = {id(c) for c in refs}
    inside = {id(c) for c in where.find_all(exp.Column)}
    if not ids <= inside:
        return False  # an outer column in SELECT, GROUP BY or a join: not a plain correlation
    from redshift_optimizer.sql.trees import conjuncts

    for part in conjuncts(where.this):
        if isinstance(part, exp.EQ) and isinstance(part.this, exp.Column) and isinstance(part.expression, exp.Column):
            sides = [id(part.this) in ids, id(part.expression) in ids]
            if sides.count(True) == 1:
                return True
    return False


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
        usage = _predicate_kind(subquery)
        decorrelated = equality_correlated(ctx, scope, refs)
        if decorrelated and usage in ("exists", "in"):
            continue  # a semi-join (EXISTS, IN) or anti-join (NOT EXISTS): a hash join, not a loop
        kind = {"exists": "EXISTS ", "in": "IN "}.get(usage, "")
        if decorrelated:
            message = (
                f"the scalar subquery in the {where} is correlated on {names}: Redshift "
                "decorrelates it by computing the aggregate for every value of the correlation "
                "columns and joining the result back; written as that join, the outer filters "
                "can restrict the aggregate's input first"
            )
            severity = Severity.LOW
        else:
            message = (
                f"the {kind}subquery in the {where} references {names} of the outer query "
                "without an equality Redshift can hash on: it is evaluated per outer row (a "
                "nested loop), or refused as an unsupported correlation"
            )
            severity = None
        yield Hit(
            message=message,
            severity=severity,
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
    severity_text="MEDIUM; LOW for a scalar subquery correlated by equality (Redshift decorrelates it)",
    summary="A subquery references an outer column without an equality Redshift can turn into a join.",
    documentation=Documentation(
        what=(
            "A subquery that references a column of an enclosing query. EXISTS, NOT EXISTS and "
            "IN correlated by an equality are not reported: Redshift runs them as semi- and "
            "anti-joins. A scalar subquery correlated by an equality is reported LOW: Redshift "
            "decorrelates it into a join with the aggregate grouped by the correlation columns, "
            "computed before the outer filters apply. Other correlations (non-equalities only, "
            "outer columns in the SELECT list) are MEDIUM."
        ),
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
