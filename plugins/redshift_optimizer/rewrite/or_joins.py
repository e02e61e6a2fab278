"""An OR in a join condition as a UNION ALL of equi-joins (Q015).

``FROM a JOIN b ON e1 OR e2`` can only be a nested loop. As
``(SELECT ... FROM a JOIN b ON e1 UNION ALL SELECT ... FROM a JOIN b ON e2 AND NOT COALESCE(e1, FALSE))``
each branch is a hash join on its own equality, and a pair of rows matching both disjuncts
comes from the first branch only, so no row is duplicated. The WHERE filters move into both
branches; the SELECT list, GROUP BY, HAVING and ORDER BY read the branches' columns.

Only a SELECT of exactly two relations, base tables, inner-joined, whose column names do not
collide, each disjunct holding an equality between the two sides.
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.trees import conjuncts, contains_subquery, disjuncts

ALIAS = "or_branches"


def or_join_to_union_all(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    tree = tree.copy()
    if snapshot is None:
        return tree
    ctx = Query("", tree, snapshot)
    for scope in list(ctx.select_scopes()):
        new = _split(ctx, scope)
        if new is not None:
            select = scope.expression
            if select is tree:
                return new
            select.replace(new)
            return tree  # one per statement: the scopes of the old tree are stale now
    return tree


def _split(ctx: Query, scope) -> exp.Select | None:
    select = scope.expression
    joins = select.args.get("joins") or []
    if len(joins) != 1 or any(select.args.get(k) for k in ("with_", "laterals", "distinct", "into")):
        return None
    join = joins[0]
    if join.args.get("side") or join.args.get("kind") not in (None, "", "INNER") or join.args.get("using"):
        return None
    order = ctx.joined_sources(scope)
    if len(order) != 2 or not all(s.is_base and s.table is not None and s.table.columns for s, _ in order):
        return None
    a, b = order[0][0], order[1][0]
    on = join.args.get("on")
    if on is None:
        return None
    parts = conjuncts(on)
    ors = [p for p in parts if isinstance(p.unnest(), exp.Or)]
    if len(ors) != 1:
        return None
    disjunction = ors[0]
    options = disjuncts(disjunction.unnest())
    rest = [p for p in parts if p is not disjunction]
    if len(options) < 2 or not all(_has_equality(ctx, scope, o, a, b) for o in options):
        return None
    where = select.args.get("where")
    if where is not None and contains_subquery(where.this):
        return None
    for predicate in [*parts, *([where.this] if where is not None else [])]:
        refs = ctx.referenced_sources(predicate, scope)
        if refs is None or not refs <= {a, b}:
            return None
    # The columns the rest of the SELECT reads, projected by each branch under their own names.
    needed: dict[str, exp.Column] = {}
    owner: dict[str, object] = {}
    for key in ("expressions", "group", "having", "order", "qualify"):
        value = select.args.get(key)
        for node in (value if isinstance(value, list) else [value]):
            if node is None:
                continue
            if any(isinstance(n, exp.Star) for n in node.walk() if not isinstance(n.parent, exp.Count)) or \
                    contains_subquery(node):
                return None
            for column in node.find_all(exp.Column):
                source = ctx.resolve(column.name, column.table, scope)
                if source is None:
                    if not column.table and ctx._is_projection_alias(column.name, scope):
                        continue
                    return None
                if source not in (a, b):
                    return None
                name = column.name.lower()
                if owner.get(name, source) is not source:
                    return None  # the same name from both sides: the branch columns would collide
                owner[name] = source
                needed[name] = column
    columns = [exp.column(name, table=owner[name].alias) for name in sorted(needed)] or [exp.Literal.number(1)]
    branches = []
    earlier: list[exp.Expression] = []
    for option in options:
        condition = [option.copy(), *[p.copy() for p in rest]]
        condition += [exp.Not(this=exp.Coalesce(this=exp.Paren(this=e.copy()), expressions=[exp.false()]))
                      for e in earlier]
        earlier.append(option)
        branch = exp.Select(expressions=[c.copy() for c in columns]).from_(
            (select.args.get("from_") or select.args.get("from")).this.copy())
        branch = branch.join(join.this.copy(), on=exp.and_(*condition))
        if where is not None:
            branch.set("where", where.copy())
        branches.append(branch)
    union = exp.union(*branches, distinct=False)
    new = select.copy()
    new.set("joins", None)
    new.set("where", None)
    for column in list(new.find_all(exp.Column)):
        if column.name.lower() in needed and column.table:
            column.set("table", exp.to_identifier(ALIAS))
    new.set("from_", exp.From(this=exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier(ALIAS)))))
    return new


def _has_equality(ctx: Query, scope, option: exp.Expression, a, b) -> bool:
    """An equality in the disjunct's conjuncts with one side reading only ``a``, the other only ``b``."""
    for part in conjuncts(option.unnest()):
        if isinstance(part, exp.EQ):
            left = ctx.referenced_sources(part.this, scope)
            right = ctx.referenced_sources(part.expression, scope)
            if left and right and {frozenset(left), frozenset(right)} == {frozenset({a}), frozenset({b})}:
                return True
    return False


__all__ = ["or_join_to_union_all"]
