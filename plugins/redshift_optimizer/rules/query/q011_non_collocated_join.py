"""Q011 non-collocated-join: equi-join of two large tables not on both tables' dist keys."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.relations import join_graph
from redshift_optimizer.rules.query_context import QueryContext

_ALL = ("ALL", "AUTO(ALL)")


def _equalities(predicate: exp.Expression) -> list[exp.Expression]:
    predicate = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if isinstance(predicate, (exp.EQ, exp.NullSafeEQ)):
        return [predicate]
    return []


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    seen: set[frozenset[str]] = set()
    for scope in ctx.select_scopes():
        graph = join_graph(ctx, scope)
        for pair, predicates in graph.equi.items():
            keys: list[tuple] = []  # (origin a, origin b, predicate) per column equality
            for predicate in predicates:
                for eq in _equalities(predicate):
                    left, right = eq.this, eq.expression
                    if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
                        continue
                    a, b = ctx.origin(left), ctx.origin(right)
                    if a and b and a.table and b.table and a.source is not b.source:
                        keys.append((a, b, eq))
            keys = [k for k in keys if ctx.is_large(k[0].table) and ctx.is_large(k[1].table)]
            if not keys:
                continue
            a, b, eq = keys[0]
            if a.table.dist_style in _ALL or b.table.dist_style in _ALL:
                continue
            names = frozenset((a.table.table_name, b.table.table_name))
            collocated = any(
                x.table.dist_key and y.table.dist_key
                and x.name.lower() == x.table.dist_key.lower()
                and y.name.lower() == y.table.dist_key.lower()
                and (x.table.dist_style or "KEY") in ("KEY", "AUTO(KEY)")
                and (y.table.dist_style or "KEY") in ("KEY", "AUTO(KEY)")
                for x, y, _ in keys
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
