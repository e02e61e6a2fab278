"""C004 disk-spill: query spills to disk."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext, query_facts


def check(ctx: WorkloadContext) -> Iterator[Hit]:
    for q in ctx.window.queries:
        if not q.spilled_mb or q.spilled_mb <= 0:
            continue
        yield Hit(
            message=(f"query {q.query_hash} spilled {q.spilled_mb:,.0f} MB to disk: its joins or "
                     "aggregates did not fit in the slot's memory"),
            evidence=[*query_facts(q), evidence.metric("spilled_mb", q.spilled_mb)],
        )


RULE = Rule(
    code="C004",
    name="disk-spill",
    title="Query spills to disk",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A fingerprint spilled to disk.",
    documentation=Documentation(
        what="A fingerprint with spilled_mb above zero.",
        why="Hash joins and aggregates that outgrow memory write to disk and run several times slower.",
        anti_pattern="SELECT * FROM big_a JOIN big_b USING (k) ORDER BY 1;",
        better="SELECT a.x, b.y FROM big_a a JOIN big_b b USING (k) WHERE a.day = CURRENT_DATE;",
    ),
    fix="More memory per slot, fewer columns, earlier filters.",
    check=check,
    scope="workload",
    needs=("workload",),
)
