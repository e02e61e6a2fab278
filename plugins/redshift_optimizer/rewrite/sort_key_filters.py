"""A filter on one side of an equi-join copied to the other side's join column when that
column leads the other table's sort key (Q010; AWS's tuning advice: "add predicates to filter
tables that participate in joins, even if the predicates apply the same filters", so that the
scan of the other table can skip blocks by its zone maps before the join).

``FROM orders o JOIN lineitem l ON l.l_shipdate = o.o_orderdate WHERE o.o_orderdate >= '1995-01-01'``
gains ``AND l.l_shipdate >= '1995-01-01'``. Exact for inner joins: a joined row has equal
values on both sides, so the copy removes only rows the join would drop. Only constant
comparisons, BETWEEN and IN lists are copied, between columns of the same snapshot type, in
SELECTs without outer joins.
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.trees import conjuncts, contains_subquery

_COMPARISONS = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def copy_sort_key_filters(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    tree = tree.copy()
    if snapshot is None:
        return tree
    ctx = Query("", tree, snapshot)
    additions: list[tuple[exp.Select, exp.Expression]] = []
    for scope in ctx.select_scopes():
        select = scope.expression
        joins = select.args.get("joins") or []
        if any(j.args.get("side") or (j.args.get("kind") or "").upper() not in ("", "INNER", "CROSS") for j in joins):
            continue
        if not joins:
            continue
        predicates = ctx.filter_predicates(scope)
        filters = [(p, _filtered_column(p)) for p in predicates]
        filters = [(p, c) for p, c in filters if c is not None]
        equalities = [p for p in predicates if isinstance(p, exp.EQ) and isinstance(p.this, exp.Column)
                      and isinstance(p.expression, exp.Column)]
        for equality in equalities:
            for source_col, target_col in ((equality.this, equality.expression), (equality.expression, equality.this)):
                target = ctx.origin(target_col)
                origin = ctx.origin(source_col)
                t_src, s_src = ctx.source_of(target_col), ctx.source_of(source_col)
                if target is None or origin is None or target.column is None or origin.column is None:
                    continue
                if t_src is None or s_src is None or t_src is s_src or not t_src.is_base or t_src.scope is not scope \
                        or s_src.scope is not scope:
                    continue
                if target.column.sort_key_position != 1 or target.table is None or \
                        (target.table.sort_key_type or "COMPOUND").upper() == "INTERLEAVED":
                    continue
                if _norm(target.column.type) != _norm(origin.column.type):
                    continue
                if any(ctx.source_of(c) is t_src and c.name.lower() == target_col.name.lower() for _, c in filters):
                    continue  # the sort key column is filtered already
                for predicate, column in filters:
                    if ctx.source_of(column) is s_src and column.name.lower() == source_col.name.lower():
                        copy = predicate.copy()
                        for node in copy.find_all(exp.Column):
                            node.replace(target_col.copy())
                        additions.append((select, copy))
    seen: set[tuple[int, str]] = set()
    for select, predicate in additions:
        key = (id(select), predicate.sql())
        if key in seen:
            continue
        seen.add(key)
        where = select.args.get("where")
        select.set("where", exp.Where(this=exp.and_(*conjuncts(where.this), predicate) if where is not None else predicate))
    return tree


def _norm(type_text: str) -> str:
    return " ".join(type_text.upper().split())


def _constant(node: exp.Expression) -> bool:
    if isinstance(node, exp.Literal):
        return True
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return True
    return isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal)


def _filtered_column(predicate: exp.Expression) -> exp.Column | None:
    """The one bare column a constant filter restricts, or None."""
    if contains_subquery(predicate):
        return None
    if isinstance(predicate, _COMPARISONS):
        for column, value in ((predicate.this, predicate.expression), (predicate.expression, predicate.this)):
            if isinstance(column, exp.Column) and _constant(value):
                return column
        return None
    if isinstance(predicate, exp.Between) and isinstance(predicate.this, exp.Column) and \
            _constant(predicate.args["low"]) and _constant(predicate.args["high"]):
        return predicate.this
    if isinstance(predicate, exp.In) and isinstance(predicate.this, exp.Column) and not predicate.args.get("query") \
            and predicate.expressions and all(_constant(v) for v in predicate.expressions):
        return predicate.this
    return None


__all__ = ["copy_sort_key_filters"]
