"""UNION as UNION ALL where the branches are provably disjoint and each free of duplicates
(Q006): the sort or hash that removes duplicates then has nothing to remove.

UNION removes duplicates inside a branch too, so both conditions are needed:
- each branch returns distinct rows: SELECT DISTINCT, a GROUP BY whose keys are all in the
  output, or an aggregate without GROUP BY (one row). A declared primary key is not enough:
  Redshift does not enforce it;
- no row can come from two branches: at some output position every branch projects a
  different non-NULL constant, or the same column restricted by each branch's WHERE to a
  different constant (``col = 'A'`` in one, ``col = 'B'`` in the other).
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.trees import conjuncts


def disjoint_union_all(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    tree = tree.copy()
    for union in list(tree.find_all(exp.Union)):
        if not union.args.get("distinct") or isinstance(union.parent, exp.Union):
            continue
        branches = _chain(union)
        if branches is None or not all(_distinct_rows(b) for b in branches) or not _disjoint(branches):
            continue
        for node in [union, *[n for n in union.find_all(exp.Union) if n is not union]]:
            node.set("distinct", False)
    return tree


def _chain(union: exp.Union) -> list[exp.Select] | None:
    out: list[exp.Select] = []

    def walk(node: exp.Expression) -> bool:
        if isinstance(node, exp.Union) and node.args.get("distinct"):
            if node is not union and any(node.args.get(k) for k in ("order", "limit", "offset")):
                return False
            return walk(node.this) and walk(node.expression)
        if isinstance(node, exp.Select):
            out.append(node)
            return True
        return False

    return out if walk(union.this) and walk(union.expression) else None


def _value(projection: exp.Expression) -> exp.Expression:
    return projection.this if isinstance(projection, exp.Alias) else projection


def _distinct_rows(select: exp.Select) -> bool:
    if select.args.get("distinct") is not None and not select.args["distinct"].args.get("on"):
        return True
    values = [_value(p) for p in select.expressions]
    group = select.args.get("group")
    if group is None:
        return bool(values) and all(_aggregate_or_constant(v) for v in values) and any(
            isinstance(n, exp.AggFunc) for v in values for n in v.walk()) and not select.args.get("qualify")
    if any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")):
        return False
    texts = {v.sql() for v in values}
    aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
    return all(k.sql() in texts or (isinstance(k, exp.Column) and not k.table and k.name.lower() in aliases)
               for k in group.expressions)


def _aggregate_or_constant(value: exp.Expression) -> bool:
    if isinstance(value, (exp.AggFunc, exp.Literal)):
        return True
    if isinstance(value, exp.Column):
        return False
    return all(_aggregate_or_constant(c) for c in value.iter_expressions())


def _disjoint(branches: list[exp.Select]) -> bool:
    width = len(branches[0].expressions)
    if any(len(b.expressions) != width for b in branches):
        return False
    for position in range(width):
        keys = [_fixed_value(b, position) for b in branches]
        # Same kind of constant everywhere; strings compared without trailing blanks (CHAR
        # comparisons ignore them).
        if all(k is not None for k in keys) and len({k[0] for k in keys}) == 1 and len(set(keys)) == len(keys):
            return True
    return False


def _fixed_value(select: exp.Select, position: int) -> tuple[str, str] | None:
    """The one non-NULL constant the branch can return at ``position``, as (kind, text)."""
    value = _value(select.expressions[position])
    if isinstance(value, exp.Literal):
        return ("string" if value.is_string else "number", value.this.rstrip(" ") if value.is_string else str(float(value.this)))
    if isinstance(value, exp.Column):
        where = select.args.get("where")
        for predicate in conjuncts(where.this) if where is not None else []:
            if isinstance(predicate, exp.EQ):
                for column, constant in ((predicate.this, predicate.expression), (predicate.expression, predicate.this)):
                    if isinstance(column, exp.Column) and column.sql() == value.sql() and isinstance(constant, exp.Literal):
                        return ("string" if constant.is_string else "number",
                                constant.this.rstrip(" ") if constant.is_string else str(float(constant.this)))
    return None


__all__ = ["disjoint_union_all"]
