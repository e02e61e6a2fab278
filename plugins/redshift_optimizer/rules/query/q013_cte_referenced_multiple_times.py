"""Q013 cte-referenced-multiple-times: a CTE referenced two or more times."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def check(ctx: QueryContext) -> Iterator[Hit]:
    uses: dict[int, list] = {}
    names: dict[int, str] = {}
    for scope in ctx.scopes:
        sources = ctx.sources(scope)
        for table in scope.tables:  # the FROM/JOIN references written in this scope
            source = sources.get(table.alias_or_name.lower())
            derived = source.derived if source else None
            if derived is None or not isinstance(derived.expression.parent, exp.CTE):
                continue
            if derived is scope or _inside(scope, derived):
                continue  # a recursive CTE reading itself
            uses.setdefault(id(derived), []).append(source)
            names[id(derived)] = derived.expression.parent.alias_or_name
    for key, sources in uses.items():
        if len(sources) < 2:
            continue
        derived = sources[0].derived
        large = _large_rows(ctx, derived)
        if not large:
            continue  # an aggregate or a small result: reused as a common subexpression, cheaply
        cte = derived.expression.parent
        yield Hit(
            message=(
                f"CTE {names[key]} is referenced {len(sources)} times and returns rows of "
                f"{large.table_name} ({evidence.rows(large)}) unaggregated: Redshift reuses a WITH "
                "subquery as a common subexpression where it can, which then holds that many rows "
                "in memory or spills them, and otherwise repeats its scans once per reference "
                "(EXPLAIN shows which)"
            ),
            evidence=[evidence.fragment(ctx, cte), evidence.metric(f"{names[key]} references", len(sources)),
                      *evidence.table(large)],
            table=large.table_name,
            node=sources[1].node,
        )


def _large_rows(ctx: QueryContext, derived):
    """The large base table whose rows a CTE returns without aggregating them (no GROUP BY,
    DISTINCT, aggregate, window-free LIMIT in any branch), or None: an aggregate's few rows
    cost nothing to reuse, and without a snapshot the size is unknown (say nothing)."""
    if ctx.snapshot is None:
        return None
    branches = derived.set_operation_scopes or [derived]
    for branch in branches:
        select = branch.expression
        if not isinstance(select, exp.Select):
            return None
        if select.args.get("group") or select.args.get("distinct") or select.args.get("limit") or any(
                isinstance(n, exp.AggFunc) for p in select.expressions for n in p.walk()):
            continue
        for source, _ in ctx.joined_sources(branch):
            if source.is_base and ctx.is_large(source.table):
                return source.table
    return None


def _inside(scope, ancestor) -> bool:
    while scope is not None:
        if scope is ancestor:
            return True
        scope = scope.parent
    return False


RULE = Rule(
    code="Q013",
    name="cte-referenced-multiple-times",
    title="CTE referenced more than once",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="A CTE is referenced two or more times.",
    documentation=Documentation(
        what=(
            "A common table expression referenced two or more times that returns the rows of a "
            "large base table unaggregated (no GROUP BY, DISTINCT or aggregate)."
        ),
        why=(
            "Redshift evaluates a WITH subquery referenced more than once as a common "
            "subexpression where it can, otherwise once per reference. Reuse is cheap for an "
            "aggregate; for a CTE that returns a large table's rows it means holding (or "
            "spilling) that many rows, and re-evaluation means repeating the scans. Only such "
            "CTEs are reported, and only with a snapshot that knows the table is large."
        ),
        anti_pattern=(
            "WITH recent AS (SELECT * FROM sales WHERE amount > 0) "
            "SELECT a.id FROM recent a JOIN recent b ON b.parent_id = a.id"
        ),
        better=(
            "CREATE TEMP TABLE recent DISTKEY(id) AS SELECT * FROM sales WHERE amount > 0; "
            "SELECT a.id FROM recent a JOIN recent b ON b.parent_id = a.id"
        ),
    ),
    fix="Materialize it once in a temp table, or restructure to a single reference (e.g. a window function).",
    check=check,
)
