"""Q018 repeated-table-scan: the same large table read in separate parts of one statement."""

from __future__ import annotations

from typing import Iterator

from sqlglot.optimizer.scope import ScopeType

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.q012_correlated_subquery import outer_references
from redshift_optimizer.rules.query_context import QueryContext


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
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
    for source in ctx.base_reads():
        if ctx.is_large(source.table) and not in_correlated(source.scope):
            reads.setdefault(source.table.table_name, []).append(source)
    for name, sources in reads.items():
        scopes = {id(s.scope) for s in sources}
        if len(scopes) < 2:
            continue  # a self-join in one SELECT is not one pass with CASE
        table = sources[0].table
        yield Hit(
            message=(
                f"{name} ({evidence.rows(table)}) is scanned {len(sources)} times in separate parts "
                "of the statement; one scan with conditional aggregation (CASE inside the "
                "aggregates) reads it once"
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
            "independent subqueries, CTEs); self-joins and correlated subqueries are not counted."
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
    fix="One scan with conditional aggregation (CASE inside the aggregates), or GROUP BY the distinguishing column.",
    check=check,
    needs=("snapshot",),
)
