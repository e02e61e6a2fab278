"""A correlated scalar subquery as a join to a grouped derived table (Q012).

``WHERE x > (SELECT AVG(y) FROM t WHERE t.k = o.k AND f)`` becomes a join to
``(SELECT k AS key_1, AVG(y) AS value FROM t WHERE f GROUP BY k) AS grouped_1`` on
``grouped_1.key_1 = o.k`` and ``WHERE x > grouped_1.value``: the inner table is aggregated once
instead of once per outer row.

Exact only when the subquery's value over an empty group makes the comparison unknown, so
that the outer rows the inner join drops (no group for their key) were dropped before too:
the value is AVG/SUM/MIN/MAX (NULL over no rows) under arithmetic that keeps NULL, the
comparison is a top-level WHERE conjunct, and the correlation is equalities between an inner
column and an expression over the outer relations. COUNT (0 over no rows) is left alone.
The grouped table has one row per key, so no outer row is repeated.
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.trees import conjuncts, contains_subquery

_NULL_KEEPING_AGGREGATES = (exp.Sum, exp.Avg, exp.Min, exp.Max)
_NULL_KEEPING = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Paren, exp.Neg, exp.Literal, exp.Column)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def decorrelate_scalar_subqueries(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """Each correlated scalar aggregate compared in a WHERE, as a join to its grouped table."""
    tree = tree.copy()
    counter = 0
    while counter < 10:
        ctx = Query("", tree, snapshot)
        done = False
        for scope in ctx.select_scopes():
            if _decorrelate_one(ctx, scope, counter + 1):
                counter += 1
                done = True
                break
        if not done:
            break
    return tree


def _decorrelate_one(ctx: Query, scope, number: int) -> bool:
    select = scope.expression
    where = select.args.get("where")
    if where is None:
        return False
    used = {a.lower() for s in ctx.scopes for a in s.sources}
    alias = f"grouped_{number}"
    while alias in used:
        number += 100
        alias = f"grouped_{number}"
    for predicate in conjuncts(where.this):
        if not isinstance(predicate, _COMPARISONS):
            continue
        for side in ("this", "expression"):
            subquery = predicate.args.get(side)
            other = predicate.args.get("expression" if side == "this" else "this")
            if not isinstance(subquery, exp.Subquery) or not isinstance(subquery.this, exp.Select) or contains_subquery(other):
                continue
            plan = _plan(ctx, scope, subquery.this)
            if plan is None:
                continue
            derived, keys = plan
            added = {"value", *(name for name, _ in keys)}
            if any(not c.table and c.name.lower() in added for c in ctx.columns_of(scope)):
                continue  # an unqualified outer column of that name would become ambiguous
            subquery.replace(exp.column("value", table=alias))
            _attach(select, derived, keys, alias)
            return True
    return False


def _plan(ctx: Query, outer, sub: exp.Select):
    """(grouped derived SELECT, [(key alias, outer expression)]) or None."""
    inner = next((s for s in ctx.scopes if s.expression is sub), None)
    if inner is None or inner.parent is not outer:
        return None
    if any(sub.args.get(k) for k in ("group", "having", "limit", "offset", "qualify", "distinct", "with_", "order")):
        return None
    if len(sub.expressions) != 1:
        return None
    value = sub.expressions[0]
    value = value.this if isinstance(value, exp.Alias) else value
    aggregates = list(value.find_all(exp.AggFunc))
    if not aggregates or not all(isinstance(a, _NULL_KEEPING_AGGREGATES) and not a.args.get("distinct")
                                 and not isinstance(a.this, exp.Distinct) for a in aggregates):
        return None
    if not _null_keeping(value):
        return None
    inner_sources = set(ctx.sources(inner).values())
    keys: list[tuple[exp.Expression, exp.Expression]] = []  # (inner column, outer expression)
    local: list[exp.Expression] = []
    where = sub.args.get("where")
    for predicate in conjuncts(where.this) if where is not None else []:
        refs = ctx.referenced_sources(predicate, inner)
        if refs is None or contains_subquery(predicate):
            return None
        if refs <= inner_sources:
            local.append(predicate)
            continue
        if not isinstance(predicate, exp.EQ):
            return None
        pair = _correlation(ctx, inner, inner_sources, predicate)
        if pair is None:
            return None
        keys.append(pair)
    # Nothing else in the subquery (its SELECT, joins) may read the outer query.
    for key in ("expressions", "joins"):
        for node in sub.args.get(key) or []:
            refs = ctx.referenced_sources(node, inner)
            if refs is None or not refs <= inner_sources:
                return None
    if not keys:
        return None
    derived = sub.copy()
    projections = [exp.alias_(column.copy(), f"key_{i + 1}") for i, (column, _) in enumerate(keys)]
    derived.set("expressions", projections + [exp.alias_(value.copy(), "value")])
    derived.set("where", exp.Where(this=exp.and_(*[p.copy() for p in local])) if local else None)
    derived.set("group", exp.Group(expressions=[column.copy() for column, _ in keys]))
    return derived, [(f"key_{i + 1}", outer_expr) for i, (_, outer_expr) in enumerate(keys)]


def _correlation(ctx: Query, inner, inner_sources, predicate: exp.EQ):
    for mine, theirs in ((predicate.this, predicate.expression), (predicate.expression, predicate.this)):
        if not isinstance(mine, exp.Column):
            continue
        mine_refs = ctx.referenced_sources(mine, inner)
        theirs_refs = ctx.referenced_sources(theirs, inner)
        if mine_refs and mine_refs <= inner_sources and theirs_refs and not (theirs_refs & inner_sources) \
                and all(s.scope is inner.parent for s in theirs_refs):
            return mine, theirs
    return None


def _null_keeping(value: exp.Expression) -> bool:
    """NULL in any aggregate gives NULL for the whole expression."""
    def walk(node: exp.Expression) -> bool:
        if isinstance(node, exp.AggFunc):
            return True
        if not isinstance(node, _NULL_KEEPING):
            return False
        if isinstance(node, exp.Column):
            return False  # an ungrouped column in a scalar aggregate: not ours to judge
        return all(walk(child) for child in node.iter_expressions())
    return walk(value)


def _attach(select: exp.Select, derived: exp.Select, keys, alias: str) -> None:
    """The grouped table joined to the outer SELECT: JOIN ... ON after explicit joins, or a
    comma item and WHERE equalities where the FROM has comma joins (an ON there could not see
    the relations before the comma)."""
    table = exp.Subquery(this=derived, alias=exp.TableAlias(this=exp.to_identifier(alias)))
    equalities = [exp.EQ(this=exp.column(name, table=alias), expression=outer.copy()) for name, outer in keys]
    joins = select.args.get("joins") or []
    comma = any(not j.args.get("on") and not j.args.get("using") and not j.args.get("kind") and not j.args.get("side")
                for j in joins)
    if comma:
        select.append("joins", exp.Join(this=table))
        where = select.args["where"]
        where.set("this", exp.and_(*conjuncts(where.this), *equalities))
    else:
        select.append("joins", exp.Join(this=table, on=exp.and_(*equalities)))


__all__ = ["decorrelate_scalar_subqueries"]
