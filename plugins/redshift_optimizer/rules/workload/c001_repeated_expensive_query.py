"""C001 repeated-expensive-query: expensive query repeated."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext, query_facts


def check(ctx: WorkloadContext) -> Iterator[Hit]:
    s = ctx.settings
    for q in ctx.window.queries:
        total = q.total_elapsed_ms
        if total is None or q.executions < s.repeated_query_min_executions or total < s.repeated_query_min_total_ms:
            continue
        yield Hit(
            message=(f"query {q.query_hash} ran {q.executions} times for {total / 60000:.1f} minutes in "
                     "the window; a materialized view (auto refresh) or the result cache would serve "
                     "most of those runs"),
            evidence=[*query_facts(q), evidence.metric("total_elapsed_ms", total),
                      evidence.metric("mean_elapsed_ms", q.mean_elapsed_ms)],
            severity=Severity.HIGH if total > s.repeated_query_high_total_ms else Severity.MEDIUM,
            saving=ctx.saving(total),
        )


RULE = Rule(
    code="C001",
    name="repeated-expensive-query",
    title="Expensive query repeated",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM (HIGH above 1 hour)",
    summary="A fingerprint runs >= 10 times in the window for >= 10 minutes in total.",
    documentation=Documentation(
        what=(
            "A query fingerprint executed at least `repeated_query_min_executions` times in the "
            "window with at least `repeated_query_min_total_ms` of elapsed time in total."
        ),
        why="The same work is paid for at each run; results that change slowly can be precomputed.",
        anti_pattern="-- a dashboard tile re-running the same 3-minute aggregate every 10 minutes",
        better="CREATE MATERIALIZED VIEW mv_daily_revenue AUTO REFRESH YES AS SELECT ...;",
    ),
    fix=(
        "A materialized view with auto refresh, or rely on result caching (identical text, unchanged "
        "tables)."
    ),
    check=check,
    scope="workload",
    needs=("workload",),
)
