"""Clauses that change nothing: an ORDER BY that no LIMIT gives a meaning to, a DISTINCT
that the GROUP BY already guarantees. Read by the rules that report them (Q007, Q014) and
the rewrites that remove them."""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.sql.query import Query


def useless_order(query: exp.Expression, root: exp.Expression) -> exp.Order | None:
    """The ORDER BY of a nested query that has no LIMIT/TOP/OFFSET/FETCH to give it meaning."""
    if query is root or not isinstance(query, exp.Query):
        return None
    order = query.args.get("order")
    if order is None or any(query.args.get(k) for k in ("limit", "offset", "fetch")):
        return None
    parent = query.parent
    # The body of INSERT ... SELECT or CREATE TABLE AS is the statement's output, not a subquery.
    if isinstance(parent, (exp.Insert, exp.Create)) and parent.expression is query:
        return None
    if isinstance(parent, exp.SetOperation):
        return None  # ORDER BY on a branch is a syntax matter, judged by the parser
    if not isinstance(parent, (exp.Subquery, exp.CTE)) and query.find_ancestor(exp.Query) is None:
        return None
    return order


def redundant_distinct(select: exp.Select, query: Query | None = None) -> bool:
    """True when every GROUP BY key is an output column, so groups are already unique rows.

    A key that names an output alias counts only when it cannot be an input column of the
    same name (``SELECT DISTINCT UPPER(c) AS c ... GROUP BY c`` groups by the input ``c``,
    as PostgreSQL resolves it, and then the DISTINCT may merge groups)."""
    distinct = select.args.get("distinct")
    group = select.args.get("group")
    if distinct is None or distinct.args.get("on") is not None or group is None:
        return False
    if any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")):
        return False
    keys = list(group.expressions)
    if not keys:
        return False
    projections = select.expressions
    outputs = {p.unalias() for p in projections}
    aliases = {p.alias.lower(): p.this for p in projections if isinstance(p, exp.Alias)}
    for key in keys:
        if isinstance(key, exp.Literal) and not key.is_string:  # GROUP BY 1
            position = int(key.this)
            if not 1 <= position <= len(projections):
                return False
            continue
        if key in outputs:
            continue
        if isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            aliased = aliases[key.name.lower()]
            if isinstance(aliased, exp.Column) and aliased.name.lower() == key.name.lower():
                continue  # "t.c AS c ... GROUP BY c": the same column either way
            if _not_an_input_column(key.name, select, query):
                continue
        return False
    return True


def _not_an_input_column(name: str, select: exp.Select, query: Query | None) -> bool:
    """True when no relation of the SELECT can have a column of that name."""
    scope = query.scope_of(select) if query is not None else None
    if scope is None or scope.expression is not select:
        return False
    sources = list(query.sources(scope).values())
    return bool(sources) and all(
        s.kind != "other" and query.has_column(s, name.lower()) is False for s in sources
    )


__all__ = ["redundant_distinct", "useless_order"]
