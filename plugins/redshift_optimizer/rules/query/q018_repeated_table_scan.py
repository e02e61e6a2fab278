"""Q018 repeated-table-scan: the same large table read in separate parts of one statement."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import ScopeType

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.q012_correlated_subquery import outer_references
from redshift_optimizer.rules.query_context import QueryContext


def _grain(scope) -> tuple:
    """How a read's SELECT groups: ("scalar",) for aggregates without GROUP BY, the GROUP BY
    expressions, or ("rows",) for no aggregation."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return ("rows",)
    group = select.args.get("group")
    if group is not None:
        return tuple(sorted(e.sql(dialect="redshift").lower() for e in group.expressions))
    if any(isinstance(n, exp.AggFunc) and n.find_ancestor(exp.Window) is None
           for p in select.expressions for n in p.walk()):
        return ("scalar",)
    return ("distinct",) if select.args.get("distinct") else ("rows",)


def _shape(ctx: QueryContext, source, grain=_grain) -> tuple:
    """What a read is combined with in its SELECT: the other relations (base tables by name,
    with the outer-join side of each) and the grain. Reads of one table with the same shape
    differ only in their filters, which CASE inside the aggregates can tell apart; a table
    joined to a different fact table in each branch, or the partner of an outer join, cannot
    be read once for all of them."""
    partners = []
    for other, join in ctx.joined_sources(source.scope):
        side = (join.args.get("side") or "").upper() if join is not None else ""
        name = other.table.table_name if other.table else (other.name if other.is_base else f"({other.kind})")
        partners.append((name if other is not source else "", side))
    return tuple(sorted(partners)), grain(source.scope)


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    large = [source for source in ctx.base_reads() if ctx.is_large(source.table)]
    if len({source.table.table_name for source in large}) == len(large):
        return  # no large table read twice: nothing to read once instead
    correlated = {
        id(s) for s in ctx.scopes if s.scope_type == ScopeType.SUBQUERY and outer_references(ctx, s)
    }

    def in_correlated(scope) -> bool:
        while scope is not None:
            if id(scope) in correlated:
                return True
            scope = scope.parent
        return False

    reads: dict[str, list] = {}
    for source in large:
        if not in_correlated(source.scope):
            reads.setdefault(source.table.table_name, []).append(source)
    # Each read's shape and each scope's grain once for this statement (the grain writes
    # the GROUP BY keys as SQL text, and the reads are compared pairwise).
    grains: dict[int, tuple] = {}
    shapes: dict[int, tuple] = {}

    def grain(scope) -> tuple:
        if id(scope) not in grains:
            grains[id(scope)] = _grain(scope)
        return grains[id(scope)]

    def shape(source) -> tuple:
        if id(source) not in shapes:
            shapes[id(source)] = _shape(ctx, source, grain)
        return shapes[id(source)]

    for name, all_sources in reads.items():
        if len(all_sources) < 2:
            continue
        groups: dict[tuple, list] = {}
        for source in all_sources:
            groups.setdefault(shape(source), []).append(source)
        sources = max(groups.values(), key=len)
        one_pass = "conditional aggregation (CASE inside the aggregates)"
        scalar = [s for s in all_sources if grain(s.scope) == ("scalar",)
                  and s.scope.scope_type == ScopeType.SUBQUERY]
        if len({id(s.scope) for s in sources}) < 2:
            # An uncorrelated scalar aggregate over the same joins as another read (x > (SELECT
            # AVG(x) ...)): one pass with a window aggregate does both.
            same = [s for s in all_sources if s not in scalar and any(
                shape(s)[0] == shape(t)[0] for t in scalar)]
            if not (scalar and same):
                continue  # reads that differ in what they join or how they group: not one pass
            sources = [same[0], *scalar]
            one_pass = "a window aggregate beside the rows (AVG(x) OVER (), MEDIAN(x) OVER (PARTITION BY ...))"
        table = sources[0].table
        yield Hit(
            message=(
                f"{name} ({evidence.rows(table)}) is scanned {len(sources)} times in separate parts "
                f"of the statement; one scan with {one_pass} reads it once"
            ),
            evidence=[*evidence.table(table), evidence.metric(f"{name} scans", len(sources)),
                      *[evidence.fragment(ctx, s.node, name=f"read {i + 1}") for i, s in enumerate(sources)]],
            table=name,
            node=sources[1].node,
        )


RULE = Rule(
    code="Q018",
    name="repeated-table-scan",
    title="Large table scanned several times",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="The same large table is read two or more times where one pass with CASE would do.",
    documentation=Documentation(
        what=(
            "A large table read in two or more separate parts of one statement (UNION branches, "
            "independent subqueries, CTEs) where the reads join the same relations and group the "
            "same way, so they differ only in filters; or a read beside an uncorrelated scalar "
            "aggregate over the same joins. Self-joins, correlated subqueries, a dimension "
            "joined to a different fact table in each branch, the partner of an outer join and "
            "reads that group differently are not counted: one pass cannot replace them."
        ),
        why="Each read scans and decompresses the table's blocks again, on every slice.",
        anti_pattern=(
            "SELECT 'web', SUM(amount) FROM sales WHERE channel = 'web' UNION ALL "
            "SELECT 'app', SUM(amount) FROM sales WHERE channel = 'app'"
        ),
        better=(
            "SELECT SUM(CASE WHEN channel = 'web' THEN amount END) AS web, "
            "SUM(CASE WHEN channel = 'app' THEN amount END) AS app FROM sales "
            "WHERE channel IN ('web', 'app')"
        ),
    ),
    fix=("One scan with conditional aggregation (CASE inside the aggregates), or GROUP BY the distinguishing "
         "column; for rows compared with an aggregate of the same table, a window aggregate over them."),
    check=check,
    needs=("snapshot",),
)
