"""Tree transformations that never change a query's results, one function each (tree in,
new tree out, the input untouched; one with nothing to change may hand back its input
itself), in the style of sqlglot's optimizer rules. Each one
returns the tree unchanged where it cannot prove the change safe. The other rewrites have a
module each in this package (anti_joins, decorrelate, or_joins, single_pass,
sort_key_filters, union_all)."""

from __future__ import annotations

import calendar
import re
from contextlib import contextmanager
from datetime import date

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.joins import join_graph
from redshift_optimizer.sql.outputs import base_tables_behind, output_scopes, star_targets
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.redundancy import redundant_distinct, useless_order
from redshift_optimizer.sql.trees import is_star


def _context(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> Query:
    return Query("", tree, snapshot)  # positions are not needed to transform


#: The analysis the rules already made of a tree (the statement they read), lent to the
#: transformations that read that tree before copying it (see reading_context).
_LENT: list[Query] = []


@contextmanager
def lend_context(ctx: Query):
    """While inside, :func:`reading_context` answers with ``ctx`` for ``ctx.statement``, so a
    transformation handed the statement itself reads it through the rules' analysis (its
    scopes, origins, join graphs) instead of building it again."""
    _LENT.append(ctx)
    try:
        yield
    finally:
        _LENT.remove(ctx)


def reading_context(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> Query:
    """A context to read ``tree`` through, never to change it by: the lent analysis of that
    very tree when there is one, or a new one. The new one folds the tree's names to lower
    case, which leaves a tree the pipeline has folded already as it was."""
    for ctx in _LENT:
        if ctx.statement is tree and ctx.snapshot is snapshot:
            return ctx
    return _context(tree, snapshot)


# ------------------------------------------------------------------------ SELECT * (Q001)


def expand_stars(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    """``*`` and ``t.*`` in the output replaced by the columns the snapshot lists, where
    every relation they cover is a base table the snapshot knows column by column.

    Not in the rewrite pipeline: a columnar engine reads the columns the output needs either
    way, so the expansion changes nothing in Redshift's plan (a formatting aid only)."""
    tree = tree.copy()
    if snapshot is None:
        return tree
    ctx = _context(tree, snapshot)
    if ctx.root is None:
        return tree
    for scope in output_scopes(ctx.root):
        select = scope.expression
        if any(j.args.get("using") or (j.args.get("method") or "").upper() == "NATURAL"
               for j in select.args.get("joins") or []):
            continue  # * lists a USING / NATURAL column once; t.* lists differ in subtle ways
        new: list[exp.Expression] = []
        changed = False
        for projection in select.expressions:
            if not is_star(projection):
                new.append(projection)
                continue
            targets = star_targets(ctx, scope, projection)
            if not isinstance(projection, exp.Column) or not projection.table:
                # A bare * covers every FROM item, table functions and navigation included.
                order = ctx.joined_sources(scope)
                if len(order) != 1 + len(select.args.get("joins") or []) or any(s.kind == "other" for s, _ in order):
                    targets = []
            if not targets or not all(t.is_base and t.table and t.table.columns for t in targets):
                new.append(projection)
                continue
            for target in targets:
                qualifier = target.alias if (len(targets) > 1 or isinstance(projection, exp.Column)) else None
                for column in target.table.columns:
                    new.append(exp.column(column.name, table=qualifier, quoted=_needs_quotes(column.name)))
            changed = True
        if changed:
            select.set("expressions", new)
    return tree


def _needs_quotes(name: str) -> bool:
    return not re.fullmatch(r"[a-z_][a-z0-9_$]*", name)


# -------------------------------------------------------- comma joins to explicit JOINs


def explicit_joins(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    """``FROM a, b WHERE a.k = b.k`` as ``FROM a JOIN b ON a.k = b.k``: each comma-joined
    relation takes the equality predicates linking it to the relations before it. Only
    SELECTs made entirely of comma joins, each relation linked, are rewritten.

    Not in the rewrite pipeline: Redshift plans both forms alike (a formatting aid only)."""
    tree = tree.copy()
    ctx = _context(tree, snapshot)
    for scope in ctx.select_scopes():
        select = scope.expression
        joins = select.args.get("joins") or []
        if not joins or any(j.args.get(k) for j in joins for k in ("on", "using", "kind", "side", "method")):
            continue
        order = ctx.joined_sources(scope)
        if len(order) != len(joins) + 1 or any(
            s.kind == "other" or (s.derived is not None and not isinstance(s.derived.expression, exp.Query))
            for s, _ in order
        ):
            continue  # table functions, UNNEST / SUPER navigation keep their comma form
        graph = join_graph(ctx, scope)
        if graph.unresolved or graph.marked:
            continue  # "(+)" outer joins are written in WHERE only; as JOIN ... ON they would be inner
        where = ctx.where_conjuncts(scope)
        local = set(graph.sources)
        placed: dict[int, list[exp.Expression]] = {}
        used: set[int] = set()
        ok = True
        for index, (source, _) in enumerate(order[1:], start=1):
            allowed = {s for s, _ in order[: index + 1]}
            mine = []
            for predicate in where:
                if id(predicate) in used or not any(p is predicate for ps in graph.equi.values() for p in ps):
                    continue
                refs = ctx.referenced_sources(predicate, scope)
                if refs is None:
                    continue
                refs &= local
                if source in refs and refs <= allowed and len(refs) >= 2:
                    mine.append(predicate)
                    used.add(id(predicate))
            if not mine:
                ok = False
                break
            placed[index] = mine
        if not ok:
            continue
        for index, join in enumerate(joins, start=1):
            join.set("on", exp.and_(*[p.copy() for p in placed[index]]))
        rest = [p.copy() for p in where if id(p) not in used]
        select.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
    return tree


# -------------------------------------------- function-wrapped sort keys to ranges (Q003)

_UNITS = ("year", "quarter", "month", "day")


def _as_date(node: exp.Expression) -> date | None:
    """A date constant: 'YYYY-MM-DD', DATE 'YYYY-MM-DD' or 'YYYY-MM-DD'::DATE."""
    if isinstance(node, exp.Cast) and node.to.is_type("date") and isinstance(node.this, exp.Literal):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        match = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})(?:\s+00:00(?::00(?:\.0+)?)?)?\s*", node.this)
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                return None
    return None


def _as_year(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and re.fullmatch(r"\d{4}", node.this):
        return int(node.this)
    return None


def _start(value: date, unit: str) -> date:
    if unit == "year":
        return date(value.year, 1, 1)
    if unit == "quarter":
        return date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)
    if unit == "month":
        return date(value.year, value.month, 1)
    return value


def _next(value: date, unit: str) -> date:
    if unit == "day":
        return date.fromordinal(value.toordinal() + 1)
    months = {"year": 12, "quarter": 3, "month": 1}[unit]
    month = value.month - 1 + months
    year = value.year + month // 12
    return date(year, month % 12 + 1, min(value.day, calendar.monthrange(year, month % 12 + 1)[1]))


def _literal(value: date) -> exp.Literal:
    return exp.Literal.string(value.isoformat())


def _range(column: exp.Column, op: type, low: date, high: date) -> exp.Expression | None:
    """``f(col) op value`` over the bucket [low, high) of ``value`` as a bare-column predicate."""
    col = column.copy
    if op is exp.EQ:
        return exp.and_(exp.GTE(this=col(), expression=_literal(low)), exp.LT(this=col(), expression=_literal(high)))
    if op is exp.GTE:
        return exp.GTE(this=col(), expression=_literal(low))
    if op is exp.GT:
        return exp.GTE(this=col(), expression=_literal(high))
    if op is exp.LT:
        return exp.LT(this=col(), expression=_literal(low))
    if op is exp.LTE:
        return exp.LT(this=col(), expression=_literal(high))
    return None


_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE")
#: TO_CHAR formats (as sqlglot normalizes them) whose text names one bucket of the date.
_TO_CHAR_UNITS = {"%Y": ("year", "text-year"), "%Y-%m": ("month", "text-month"), "%Y-%m-%d": ("day", "text-day")}


def _bucket(ctx: Query, wrapped: exp.Expression):
    """(column, unit, kind) when ``wrapped`` is DATE_TRUNC / TRUNC / CAST(... AS DATE) /
    EXTRACT(YEAR) / TO_CHAR(..., 'YYYY[-MM[-DD]]') over a bare sort-key column of a type where
    the range is exactly equivalent."""
    if isinstance(wrapped, (exp.TimestampTrunc, exp.DateTrunc)):
        column, unit = wrapped.this, wrapped.args.get("unit")
        unit = unit.name.lower() if unit is not None else ""
        allowed = ("DATE",)  # the brief: DATE_TRUNC ranges only for DATE columns
        kind = "date"
    elif isinstance(wrapped, exp.Trunc) and wrapped.args.get("decimals") is None:
        column, unit, allowed, kind = wrapped.this, "day", _DATE_TYPES, "date"
    elif isinstance(wrapped, exp.Cast) and not isinstance(wrapped, exp.TryCast) and wrapped.to.is_type("date"):
        column, unit, allowed, kind = wrapped.this, "day", _DATE_TYPES, "date"
    elif isinstance(wrapped, exp.Extract) and wrapped.this.name.lower() == "year":
        column, unit, allowed, kind = wrapped.expression, "year", _DATE_TYPES, "year"
    elif isinstance(wrapped, exp.TimeToStr) and isinstance(wrapped.args.get("format"), exp.Literal) \
            and wrapped.args["format"].this in _TO_CHAR_UNITS and wrapped.args.get("culture") is None:
        column, allowed = wrapped.this, _DATE_TYPES
        unit, kind = _TO_CHAR_UNITS[wrapped.args["format"].this]
    else:
        return None
    if not isinstance(column, exp.Column) or unit not in _UNITS:
        return None
    origin = ctx.origin(column)
    if origin is None or origin.column is None or not origin.column.sort_key_position:
        return None
    if origin.column.type.upper().strip() not in allowed:
        return None
    return column, unit, kind


def sargable_ranges(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> exp.Expression:
    """Filters that wrap a DATE/TIMESTAMP sort-key column in DATE_TRUNC, TRUNC, a cast to
    DATE, EXTRACT(YEAR ...) or TO_CHAR(..., 'YYYY-MM') and compare it with constants
    (comparison, BETWEEN, IN), as ranges on the bare column, so zone maps can skip blocks:
    ``DATE_TRUNC('month', d) = '1995-03-01'`` -> ``d >= '1995-03-01' AND d < '1995-04-01'``.
    A constant that is not the start of its bucket (always false) leaves the filter alone."""
    tree = tree.copy()
    if snapshot is None:
        return tree
    ctx = _context(tree, snapshot)
    replacements: list[tuple[exp.Expression, exp.Expression]] = []
    for scope in ctx.select_scopes():
        for predicate in ctx.filter_predicates(scope):
            node = predicate
            candidate = node.unnest() if isinstance(node, exp.Paren) else node
            new = _rewrite_comparison(ctx, candidate)
            if new is not None:
                replacements.append((node, new))
    for old, new in replacements:
        old.replace(new)  # old is a top-level conjunct: an AND in its place keeps precedence
    return tree


def _between(column: exp.Column, low: date, high: date) -> exp.Expression:
    return exp.and_(exp.GTE(this=column.copy(), expression=_literal(low)),
                    exp.LT(this=column.copy(), expression=_literal(high)))


def _rewrite_comparison(ctx: Query, node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Between):
        if node.args.get("symmetric"):
            return None  # BETWEEN SYMMETRIC swaps reversed bounds: the range below would not
        found = _bucket(ctx, node.this)
        if found is None or found[2].startswith("text-"):
            return None  # TO_CHAR text orders like the date only for years 1000 to 9999
        column, unit, kind = found
        low = _bound(node.args["low"], unit, kind)
        high = _bound(node.args["high"], unit, kind)
        if low is None or high is None:
            return None
        return _between(column, low[0], high[1])
    if isinstance(node, exp.In):
        if node.args.get("query") is not None or node.args.get("unnest") or not node.expressions:
            return None
        found = _bucket(ctx, node.this)
        if found is None:
            return None
        column, unit, kind = found
        buckets = [_bound(value, unit, kind) for value in node.expressions]
        if any(b is None for b in buckets):
            return None
        merged: list[list[date]] = []
        for low, high in sorted(set(buckets)):
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        ranges = [_between(column, low, high) for low, high in merged]
        return ranges[0] if len(ranges) == 1 else exp.Paren(this=exp.or_(*ranges))
    if not isinstance(node, (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
        return None
    op = type(node)
    wrapped, value = node.this, node.expression
    found = _bucket(ctx, wrapped)
    if found is None:
        found = _bucket(ctx, value)
        if found is None:
            return None
        wrapped, value = value, wrapped
        op = {exp.EQ: exp.EQ, exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}[op]
    column, unit, kind = found
    if kind.startswith("text-") and op is not exp.EQ:
        return None  # text order is date order only for four-digit years
    bounds = _bound(value, unit, kind)
    if bounds is None:
        return None
    return _range(column, op, *bounds)


_TEXT_BUCKET = {"text-year": r"(\d{4})", "text-month": r"(\d{4})-(\d{2})", "text-day": r"(\d{4})-(\d{2})-(\d{2})"}


def _bound(value: exp.Expression, unit: str, kind: str) -> tuple[date, date] | None:
    if kind == "year":
        year = _as_year(value)
        return (date(year, 1, 1), date(year + 1, 1, 1)) if year is not None and year >= 1 else None
    if kind.startswith("text-"):
        if not (isinstance(value, exp.Literal) and value.is_string):
            return None
        match = re.fullmatch(_TEXT_BUCKET[kind], value.this)
        if match is None:
            return None
        parts = [int(p) for p in match.groups()] + [1] * (3 - len(match.groups()))
        try:
            start = date(*parts)
        except ValueError:
            return None
        return (start, _next(start, unit)) if start.year >= 1000 else None
    constant = _as_date(value)
    if constant is None or _start(constant, unit) != constant:
        return None
    return constant, _next(constant, unit)


# -------------------------------------------------------------- redundant DISTINCT (Q014)


def drop_redundant_distinct(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """SELECT DISTINCT whose GROUP BY keys are all in the output: DISTINCT removed."""
    tree = tree.copy()
    ctx = _context(tree, snapshot)
    for select in list(tree.find_all(exp.Select)):
        if redundant_distinct(select, ctx):
            select.set("distinct", None)
    return tree


# -------------------------------------------------------- useless subquery ORDER BY (Q007)

_ORDER_SENSITIVE = (exp.GroupConcat, exp.ArrayAgg)


def drop_subquery_order(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """ORDER BY without LIMIT in subqueries, CTEs and derived tables removed, unless an
    order-sensitive aggregate (LISTAGG without WITHIN GROUP, ARRAY_AGG), a window function
    without ORDER BY (ROW_NUMBER() OVER ()) or an unordered LIMIT around it reads the rows."""
    tree = tree.copy()
    if any(isinstance(n, _ORDER_SENSITIVE) and not isinstance(n.parent, exp.WithinGroup) for n in tree.walk()):
        return tree
    if any(_order_dependent_window(n) for n in tree.find_all(exp.Window)):
        return tree  # ROW_NUMBER() OVER () and the like number rows in the order they arrive
    root = tree.expression if isinstance(tree, (exp.Insert, exp.Create)) else tree
    while isinstance(root, exp.Subquery):
        root = root.this
    for query in list(tree.find_all(exp.Select, exp.SetOperation)):
        if useless_order(query, root) is None or _kept_by_unordered_limit(query):
            continue
        query.set("order", None)
    return tree


def _order_dependent_window(window: exp.Window) -> bool:
    """A window function without ORDER BY whose value depends on the order rows arrive in."""
    spec_order = window.args.get("order")
    if spec_order is not None and spec_order.expressions:
        return False
    function = window.this
    return not isinstance(function, exp.AggFunc) or isinstance(
        function, tuple(getattr(exp, n) for n in ("FirstValue", "LastValue", "NthValue") if hasattr(exp, n))
    )


def _kept_by_unordered_limit(query: exp.Expression) -> bool:
    """Whether an enclosing query keeps some rows (LIMIT, TOP, OFFSET) without an ORDER BY of
    its own: which rows it keeps then follows the inner order in practice."""
    ancestor = query.parent
    while ancestor is not None:
        if isinstance(ancestor, (exp.Select, exp.SetOperation)) and ancestor.args.get("order") is None and any(
            ancestor.args.get(k) for k in ("limit", "offset", "fetch")
        ):
            return True
        ancestor = ancestor.parent
    return False


__all__ = [
    "drop_redundant_distinct",
    "drop_subquery_order",
    "expand_stars",
    "explicit_joins",
    "sargable_ranges",
]
