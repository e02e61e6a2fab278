"""``x NOT IN (SELECT y ...)`` as ``NOT EXISTS (SELECT 1 ... AND y = x)`` (Q005).

The two differ only on NULLs: one NULL ``y`` makes NOT IN false (unknown) for every row,
and a NULL ``x`` makes it unknown, where NOT EXISTS is true. So the rewrite is made only when
both sides are provably NOT NULL: a base-table column the snapshot declares NOT NULL, read
where no outer join can null it, or a column the same WHERE filters with ``IS NOT NULL``.
Redshift plans NOT EXISTS as a hash anti-join; NOT IN over a subquery needs its NULL-aware
variant (or a nested loop), which the planner cannot always choose.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.scopes import is_ancestor
from redshift_optimizer.sql.trees import conjuncts


def not_in_to_not_exists(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    """Each provably NULL-free ``col NOT IN (SELECT col2 FROM ...)`` as a correlated NOT EXISTS."""
    tree = tree.copy()
    if snapshot is None:
        return tree
    ctx = Query("", tree, snapshot)
    replacements = []
    for scope in ctx.select_scopes():
        for node in _own_nodes(scope, exp.Not):
            inner = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
            if not isinstance(inner, exp.In) or not isinstance(inner.args.get("query"), exp.Subquery):
                continue
            new = _not_exists(ctx, scope, inner)
            if new is not None:
                replacements.append((node, new))
    for old, new in replacements:
        old.replace(new)
    return tree


def _own_nodes(scope: Scope, kind: type) -> list[exp.Expression]:
    """Nodes of ``kind`` in the scope's own WHERE (not in nested queries)."""
    where = scope.expression.args.get("where")
    if where is None:
        return []
    return [n for n in where.walk(prune=lambda n: isinstance(n, exp.Subquery)) if isinstance(n, kind)]


def _not_exists(ctx: Query, scope: Scope, node: exp.In) -> exp.Expression | None:
    left = node.this
    sub = node.args["query"].this
    if not isinstance(left, exp.Column) or not isinstance(sub, exp.Select):
        return None
    if any(sub.args.get(k) for k in ("group", "having", "limit", "offset", "qualify", "with_")) or len(sub.expressions) != 1:
        return None
    projection = sub.expressions[0]
    right = projection.this if isinstance(projection, exp.Alias) else projection
    if not isinstance(right, exp.Column) or isinstance(right.this, exp.Star):
        return None
    inner = next((s for s in ctx.scopes if s.expression is sub), None)
    outer_source = ctx.source_of(left)
    inner_source = ctx.source_of(right)
    if inner is None or outer_source is None or inner_source is None:
        return None
    if outer_source.scope is not scope or inner_source.scope is not inner:
        return None
    if not (_not_null(ctx, scope, left) and _not_null(ctx, inner, right)):
        return None
    # The outer column, qualified so that no relation of the subquery can capture it.
    qualifier = outer_source.alias
    inner_names = {a.lower() for s in ctx.scopes if s is inner or is_ancestor(inner, s) for a in s.sources}
    if qualifier.lower() in inner_names:
        return None
    outer = exp.column(left.name, table=qualifier, quoted=left.this.quoted)
    correlated = exp.EQ(this=right.copy(), expression=outer)
    body = sub.copy()
    body.set("expressions", [exp.Literal.number(1)])
    body.set("distinct", None)
    where = body.args.get("where")
    body.set("where", exp.Where(this=exp.and_(where.this, correlated) if where is not None else correlated))
    return exp.Not(this=exp.Exists(this=body))


def _not_null(ctx: Query, scope: Scope, column: exp.Column) -> bool:
    """The column cannot be NULL in this scope: a NOT NULL base column no outer join of the
    scope can null, or one the scope's WHERE filters with IS NOT NULL."""
    where = scope.expression.args.get("where")
    for predicate in conjuncts(where.this) if where is not None else []:
        if isinstance(predicate, exp.Not) and isinstance(predicate.this, exp.Is) \
                and isinstance(predicate.this.expression, exp.Null) and _same(ctx, predicate.this.this, column):
            return True
    source = ctx.source_of(column)
    if source is None or not source.is_base or source.table is None:
        return False
    snap = source.table.column(column.name)
    if snap is None or snap.nullable is not False:
        return False
    return not _nullable_by_outer_join(scope, source.alias)


def _same(ctx: Query, node: exp.Expression, column: exp.Column) -> bool:
    return isinstance(node, exp.Column) and node.name.lower() == column.name.lower() \
        and ctx.source_of(node) is ctx.source_of(column)


def _nullable_by_outer_join(scope: Scope, alias: str) -> bool:
    """Whether an outer join of the scope makes ``alias`` null-supplying."""
    select = scope.expression
    joins = select.args.get("joins") or []
    from_ = select.args.get("from_") or select.args.get("from")
    first = from_.this.alias_or_name.lower() if from_ is not None and from_.this is not None else ""
    for index, join in enumerate(joins):
        side = (join.args.get("side") or "").upper()
        if not side:
            continue
        joined = join.this.alias_or_name.lower()
        if side in ("LEFT", "FULL") and joined == alias.lower():
            return True
        if side in ("RIGHT", "FULL"):
            before = [first] + [j.this.alias_or_name.lower() for j in joins[:index]]
            if alias.lower() in before:
                return True
    return False


__all__ = ["not_in_to_not_exists"]
