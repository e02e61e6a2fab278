"""C005 large-result-extraction: large result pulled to the client."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext, query_facts


def check(ctx: WorkloadContext) -> Iterator[Hit]:
    for q in ctx.window.queries:
        if q.returned_rows is None or q.returned_rows < ctx.settings.large_result_min_rows:
            continue
        yield Hit(
            message=(f"query {q.query_hash} returned {q.returned_rows:,} rows in one execution through "
                     "the leader node to the client"),
            evidence=[*query_facts(q), evidence.metric("returned_rows", q.returned_rows)],
        )


RULE = Rule(
    code="C005",
    name="large-result-extraction",
    title="Large result pulled to the client",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="One execution returned >= 1,000,000 rows to the client.",
    documentation=Documentation(
        what="A fingerprint one execution of which returned at least `large_result_min_rows` rows.",
        why="Every row goes through the single leader node and the client connection.",
        anti_pattern="SELECT * FROM sales WHERE sale_date >= '2026-01-01';  -- 40 million rows to a laptop",
        better="UNLOAD ('SELECT ...') TO 's3://bucket/prefix/' IAM_ROLE '...' FORMAT PARQUET;",
    ),
    fix="UNLOAD to S3 instead of a SELECT.",
    check=check,
    scope="workload",
    needs=("workload",),
)
