"""Q011 non-collocated-join: equi-join of two large tables not on both tables' dist keys."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.joins import join_graph, using_columns
from redshift_optimizer.sql.scans import single_row
from redshift_optimizer.sql.trees import columns_outside_subqueries

_ALL = ("ALL", "AUTO(ALL)")


def _equalities(predicate: exp.Expression) -> list[tuple[exp.Expression, exp.Expression, exp.Expression]]:
    """(left, right, node) of each equality: ``a = b``, and ``(a1, a2) = (b1, b2)`` pairwise."""
    predicate = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if not isinstance(predicate, (exp.EQ, exp.NullSafeEQ)):
        return []
    left, right = predicate.this, predicate.expression
    if isinstance(left, exp.Tuple) and isinstance(right, exp.Tuple) and len(left.expressions) == len(right.expressions):
        return [(a, b, predicate) for a, b in zip(left.expressions, right.expressions)]
    return [(left, right, predicate)]


def _join_column(ctx: QueryContext, side: exp.Expression) -> tuple[exp.Column, bool] | None:
    """The one column a join key reads, and whether it is used bare (a function or a cast to
    another type changes the hash, so such a key is never collocated)."""
    side = side.unnest() if isinstance(side, exp.Paren) else side
    if isinstance(side, exp.Column):
        return side, True
    columns = list(columns_outside_subqueries(side))
    if len(columns) != 1:
        return None
    column = columns[0]
    if isinstance(side, exp.Cast) and side.this is column:
        origin = ctx.origin(column)
        own = origin.column.type.upper().split("(")[0] if origin and origin.column else None
        return column, own is not None and side.to.sql(dialect="redshift").upper().split("(")[0] == own
    return column, False


def _leaves(scope):
    return [leaf for branch in scope.set_operation_scopes for leaf in _leaves(branch)] \
        if scope.set_operation_scopes else [scope]


def aggregated(ctx: QueryContext, column: exp.Column) -> bool:
    """Whether a join column comes out of a GROUP BY, DISTINCT or aggregate (in a CTE or
    derived table, at any depth): the relation joined is the aggregate's rows, not the base
    table's, so the base table's size says nothing about what moves."""
    for _ in range(20):
        source = ctx.source_of(column)
        if source is None or source.derived is None:
            return False
        name = column.name.lower()
        following = None
        for leaf in _leaves(source.derived):
            select = leaf.expression
            if not isinstance(select, exp.Select):
                return False
            if select.args.get("group") or select.args.get("distinct") or any(
                isinstance(n, exp.AggFunc) for p in select.expressions for n in p.walk()
            ):
                return True
            for projection in select.expressions:
                if projection.alias_or_name.lower() == name:
                    target = projection.this if isinstance(projection, exp.Alias) else projection
                    following = following or (target if isinstance(target, exp.Column) else None)
        if following is None:
            return False
        column = following
    return False


def design(t) -> str:
    return f"{t.table_name} ({evidence.rows(t)}, dist key {t.dist_key or t.dist_style or 'none'})"


def _on_dist_key(origin, bare: bool) -> bool:
    table = origin.table
    return bool(bare and table.dist_key and origin.name.lower() == table.dist_key.lower()
                and (table.dist_style or "KEY") in ("KEY", "AUTO(KEY)"))


def _joined_elsewhere(ctx: QueryContext, graph, pair) -> bool:
    """Whether the two relations are connected by equi-joins through other large tables,
    avoiding their direct edge (a cycle, ``c_nationkey = s_nationkey`` beside
    customer-orders-lineitem-supplier): the planner joins them along that path and applies the
    extra equality to the joined rows. A path through a small dimension (two facts that both
    join date_dim) does not count: the facts' own equality is then their join."""
    x, y = tuple(pair)
    edges = [tuple(p) for p in graph.equi if p != pair and len(p) == 2]
    reached, frontier = {id(x)}, [x]
    while frontier:
        node = frontier.pop()
        for a, b in edges:
            for u, v in ((a, b), (b, a)):
                if u is node and id(v) not in reached:
                    if v is y:
                        return True
                    if not (v.is_base and ctx.is_large(v.table)):
                        continue
                    reached.add(id(v))
                    frontier.append(v)
    return False


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    seen: set[frozenset[str]] = set()
    for scope in ctx.select_scopes():
        graph = join_graph(ctx, scope)
        index = {id(s): i for i, s in enumerate(graph.sources)}
        for pair, predicates in graph.equi.items():
            keys: list[tuple] = []  # (origin a, origin b, node, both bare) per column equality
            for predicate in predicates:
                if isinstance(predicate, exp.Join):  # USING / NATURAL
                    later = max(pair, key=lambda s: index.get(id(s), 0))
                    names = using_columns(ctx, graph, index.get(id(later), 0))
                    x, y = tuple(pair)
                    for name in names:
                        a, b = ctx.origin_in(x, name), ctx.origin_in(y, name)
                        if a and b and a.table and b.table and a.source is not b.source:
                            keys.append((a, b, predicate, True))
                    continue
                for left_side, right_side, eq in _equalities(predicate):
                    left, right = _join_column(ctx, left_side), _join_column(ctx, right_side)
                    if left is None or right is None:
                        continue
                    if aggregated(ctx, left[0]) or aggregated(ctx, right[0]):
                        continue  # an aggregate's rows, not the base table's, are joined
                    a, b = ctx.origin(left[0]), ctx.origin(right[0])
                    if a and b and a.table and b.table and a.source is not b.source:
                        keys.append((a, b, eq, left[1] and right[1]))
            keys = [k for k in keys if ctx.is_large(k[0].table) and ctx.is_large(k[1].table)]
            if not keys:
                continue
            a, b, eq, _ = keys[0]
            if a.table.dist_style in _ALL or b.table.dist_style in _ALL:
                continue
            names = frozenset((a.table.table_name, b.table.table_name))
            if any(single_row(s) for s in pair):
                continue  # one row is copied to every slice for nothing
            collocated = any(_on_dist_key(x, bare) and _on_dist_key(y, bare) for x, y, _, bare in keys)
            if collocated or names in seen:
                continue
            seen.add(names)
            if any(_on_dist_key(x, bare) or _on_dist_key(y, bare) for x, y, _, bare in keys):
                # One side is already on its dist key: Redshift redistributes the other
                # (DS_DIST_INNER / DS_DIST_OUTER) or broadcasts the smaller side
                # (DS_BCAST_INNER). A star schema collocates its fact table with one dimension
                # only; its other joins look like this by design, and only the workload review
                # (T012), which weighs every join of the table, can say a dist key is wrong.
                continue
            if _joined_elsewhere(ctx, graph, pair):
                continue  # an extra equality between relations already equi-joined through others
            message = (
                f"{ctx.fragment(eq)} joins {design(a.table)} with {design(b.table)}: neither side "
                "is on its dist key, so both are redistributed on the join column "
                "(DS_DIST_BOTH) or the smaller side is broadcast to every slice (DS_BCAST_INNER)"
            )
            severity = Severity.HIGH
            yield Hit(
                message=message,
                severity=severity,
                evidence=[evidence.fragment(ctx, eq),
                          *evidence.table(a.table), evidence.column(a.qualified, "join column"),
                          evidence.metric(f"{a.table.table_name}.dist_key", a.table.dist_key),
                          *evidence.table(b.table), evidence.column(b.qualified, "join column"),
                          evidence.metric(f"{b.table.table_name}.dist_key", b.table.dist_key)],
                table=a.table.table_name,
                column=a.name,
                node=eq,
            )


RULE = Rule(
    code="Q011",
    name="non-collocated-join",
    title="Join of two large tables is not collocated",
    default_severity=Severity.HIGH,
    severity_text="HIGH (only reported when neither side is on its dist key)",
    summary="Equi-join of two large tables whose join columns are not both dist keys.",
    documentation=Documentation(
        what=(
            "An equality join between two large base tables where neither join column is its "
            "table's distribution key, so both sides move. When one side is on its dist key only "
            "the other moves: the normal cost of a star schema's second dimension, left to the "
            "workload review (T012), which weighs every join of the table. A side that is an aggregate (GROUP BY, DISTINCT) or one row is not "
            "judged by its base table's size, and is not reported."
        ),
        why=(
            "Rows with equal keys must meet on one slice. When both tables are distributed on the "
            "join column they already do (DS_DIST_NONE); otherwise Redshift redistributes one or "
            "both sides (DS_DIST_INNER, DS_DIST_BOTH) or broadcasts one (DS_BCAST_INNER)."
        ),
        anti_pattern="SELECT ... FROM orders o JOIN lineitem l ON l.orderkey = o.orderkey  -- orders DISTKEY(custkey)",
        better="ALTER TABLE orders ALTER DISTKEY orderkey;  -- lineitem DISTKEY(orderkey) too",
    ),
    fix="Make the join column the dist key of both tables; if one side is small, DISTSTYLE ALL on it.",
    check=check,
    needs=("snapshot",),
)
