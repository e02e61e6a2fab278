"""C003 high-queue-time: queries wait in the queue."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext, query_facts


def check(ctx: WorkloadContext) -> Iterator[Hit]:
    s = ctx.settings
    for q in ctx.window.queries:
        if q.queue_ms is None or not q.total_elapsed_ms:
            continue
        ratio = q.queue_ms / q.total_elapsed_ms
        if ratio < s.queue_time_min_ratio or q.queue_ms < s.queue_time_min_total_ms:
            continue
        yield Hit(
            message=(f"query {q.query_hash} waited {q.queue_ms / 1000:.0f} s in queues over {q.executions} "
                     f"executions, {ratio:.0%} of its elapsed time"),
            evidence=[*query_facts(q), evidence.metric("queue_ms", q.queue_ms),
                      evidence.metric("total_elapsed_ms", q.total_elapsed_ms),
                      evidence.metric("queue_ratio", round(ratio, 3))],
            saving=ctx.saving(q.queue_ms, priced=False),
        )


RULE = Rule(
    code="C003",
    name="high-queue-time",
    title="Queries wait in the queue",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="Queue time >= 20% of elapsed over a fingerprint's executions, and >= 60 s in total.",
    documentation=Documentation(
        what=(
            "A fingerprint whose queue time is at least `queue_time_min_ratio` of its elapsed time "
            "and at least `queue_time_min_total_ms` in total."
        ),
        why=(
            "Time in the WLM queue is pure waiting: the cluster is busy with other work or the queue "
            "has too few slots."
        ),
        anti_pattern="-- short dashboard queries queued behind hourly ETL in one WLM queue",
        better="-- a separate WLM queue, concurrency scaling, or short query acceleration",
    ),
    fix="A dedicated WLM queue, concurrency scaling, or short query acceleration.",
    check=check,
    scope="workload",
    needs=("workload",),
)
