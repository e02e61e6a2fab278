"""Q011 non-collocated-join: equi-join of two large tables not on both tables' dist keys."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.relations import join_graph, using_columns
from redshift_optimizer.rules.query_context import QueryContext, columns_outside_subqueries

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
            collocated = any(
                bare and x.table.dist_key and y.table.dist_key
                and x.name.lower() == x.table.dist_key.lower()
                and y.name.lower() == y.table.dist_key.lower()
                and (x.table.dist_style or "KEY") in ("KEY", "AUTO(KEY)")
                and (y.table.dist_style or "KEY") in ("KEY", "AUTO(KEY)")
                for x, y, _, bare in keys
            )
            if collocated or names in seen:
                continue
            seen.add(names)
            yield Hit(
                message=(
                    f"{ctx.fragment(eq)} joins {a.table.table_name} ({evidence.rows(a.table)}, dist "
                    f"key {a.table.dist_key or a.table.dist_style or 'none'}) with "
                    f"{b.table.table_name} ({evidence.rows(b.table)}, dist key "
                    f"{b.table.dist_key or b.table.dist_style or 'none'}): the rows are not on the "
                    "same slices, so one or both sides are redistributed over the network"
                ),
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
    severity_text="HIGH",
    summary="Equi-join of two large tables whose join columns are not both dist keys.",
    documentation=Documentation(
        what="An equality join between two large tables where the join columns are not the distribution keys of both.",
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
