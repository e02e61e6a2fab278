"""Workload rules (C001-C005): where the window's time and money go."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.models.lake import SlowQuery
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext


def _query_facts(query: SlowQuery) -> list:
    return [evidence.metric("query_hash", query.query_hash),
            evidence.Evidence(kind="query", name="fingerprint", value=query.fingerprint[:300]),
            evidence.metric("executions", query.executions)]


def _saving(ctx: WorkloadContext, milliseconds: float, priced: bool = True) -> dict[str, float]:
    seconds = ctx.per_day(milliseconds)
    saving = {"seconds_per_day": round(seconds, 1)}
    if priced:
        saving["money_per_day"] = round(seconds * ctx.settings.price_per_second(), 2)
    return saving


def c001(ctx: WorkloadContext) -> Iterator[Hit]:
    s = ctx.settings
    for q in ctx.window.queries:
        total = q.total_elapsed_ms
        if total is None or q.executions < s.repeated_query_min_executions or total < s.repeated_query_min_total_ms:
            continue
        yield Hit(
            message=(f"query {q.query_hash} ran {q.executions} times for {total / 60000:.1f} minutes in "
                     "the window; a materialized view (auto refresh) or the result cache would serve "
                     "most of those runs"),
            evidence=[*_query_facts(q), evidence.metric("total_elapsed_ms", total),
                      evidence.metric("mean_elapsed_ms", q.mean_elapsed_ms)],
            severity=Severity.HIGH if total > s.repeated_query_high_total_ms else Severity.MEDIUM,
            saving=_saving(ctx, total),
        )


def c002(ctx: WorkloadContext) -> Iterator[Hit]:
    if not ctx.window.queries:
        return  # an empty window says nothing about which tables are used
    for table in ctx.snapshot.tables:
        if table.size_mb is None or table.size_mb < ctx.settings.unused_table_min_mb:
            continue
        if ctx.reads.get(table.table_name):
            continue
        gb = table.size_mb / 1024.0
        yield Hit(
            message=(f"{table.table_name} ({gb:,.1f} GB) was not read by any of the "
                     f"{len(ctx.window.queries)} slow queries in the window; if nothing else reads it, "
                     "it only costs storage and vacuum time"),
            evidence=[*evidence.table(table), evidence.metric(f"{table.table_name}.size_mb", table.size_mb),
                      evidence.metric("queries in window", len(ctx.window.queries))],
            table=table.table_name,
            saving={"money_per_day": round(gb * ctx.settings.storage_price_per_gb_month / 30.0, 2)},
        )


def c003(ctx: WorkloadContext) -> Iterator[Hit]:
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
            evidence=[*_query_facts(q), evidence.metric("queue_ms", q.queue_ms),
                      evidence.metric("total_elapsed_ms", q.total_elapsed_ms),
                      evidence.metric("queue_ratio", round(ratio, 3))],
            saving=_saving(ctx, q.queue_ms, priced=False),
        )


def c004(ctx: WorkloadContext) -> Iterator[Hit]:
    for q in ctx.window.queries:
        if not q.spilled_mb or q.spilled_mb <= 0:
            continue
        yield Hit(
            message=(f"query {q.query_hash} spilled {q.spilled_mb:,.0f} MB to disk: its joins or "
                     "aggregates did not fit in the slot's memory"),
            evidence=[*_query_facts(q), evidence.metric("spilled_mb", q.spilled_mb)],
        )


def c005(ctx: WorkloadContext) -> Iterator[Hit]:
    for q in ctx.window.queries:
        if q.returned_rows is None or q.returned_rows < ctx.settings.large_result_min_rows:
            continue
        yield Hit(
            message=(f"query {q.query_hash} returned {q.returned_rows:,} rows in one execution through "
                     "the leader node to the client"),
            evidence=[*_query_facts(q), evidence.metric("returned_rows", q.returned_rows)],
        )


def _rule(code, name, title, severity, text, summary, check, what, why, bad, good, fix) -> Rule:
    return Rule(code=code, name=name, title=title, default_severity=severity, severity_text=text,
                summary=summary, documentation=Documentation(what, why, bad, good), fix=fix,
                check=check, scope="workload", needs=("workload",))


RULES = [
    _rule("C001", "repeated-expensive-query", "Expensive query repeated", Severity.MEDIUM,
          "MEDIUM (HIGH above 1 hour)",
          "A fingerprint runs >= 10 times in the window for >= 10 minutes in total.", c001,
          "A query fingerprint executed at least `repeated_query_min_executions` times in the window "
          "with at least `repeated_query_min_total_ms` of elapsed time in total.",
          "The same work is paid for at each run; results that change slowly can be precomputed.",
          "-- a dashboard tile re-running the same 3-minute aggregate every 10 minutes",
          "CREATE MATERIALIZED VIEW mv_daily_revenue AUTO REFRESH YES AS SELECT ...;",
          "A materialized view with auto refresh, or rely on result caching (identical text, unchanged tables)."),
    _rule("C002", "unused-table", "Large table nobody reads", Severity.LOW, "LOW",
          "A table of >= 1,024 MB that no query in the window read.", c002,
          "A table of at least `unused_table_min_mb` that none of the window's queries reads.",
          "It costs managed storage, backups and vacuum time.",
          "-- public.events_2019_backup, 300 GB, last read a year ago",
          "UNLOAD ('SELECT * FROM public.events_2019_backup') TO 's3://archive/...' FORMAT PARQUET;",
          "UNLOAD to S3 (query it with Spectrum) and drop it, after confirming nothing else reads it."),
    _rule("C003", "high-queue-time", "Queries wait in the queue", Severity.MEDIUM, "MEDIUM",
          "Queue time >= 20% of elapsed over a fingerprint's executions, and >= 60 s in total.", c003,
          "A fingerprint whose queue time is at least `queue_time_min_ratio` of its elapsed time and at "
          "least `queue_time_min_total_ms` in total.",
          "Time in the WLM queue is pure waiting: the cluster is busy with other work or the queue has "
          "too few slots.",
          "-- short dashboard queries queued behind hourly ETL in one WLM queue",
          "-- a separate WLM queue, concurrency scaling, or short query acceleration",
          "A dedicated WLM queue, concurrency scaling, or short query acceleration."),
    _rule("C004", "disk-spill", "Query spills to disk", Severity.MEDIUM, "MEDIUM",
          "A fingerprint spilled to disk.", c004,
          "A fingerprint with spilled_mb above zero.",
          "Hash joins and aggregates that outgrow memory write to disk and run several times slower.",
          "SELECT * FROM big_a JOIN big_b USING (k) ORDER BY 1;",
          "SELECT a.x, b.y FROM big_a a JOIN big_b b USING (k) WHERE a.day = CURRENT_DATE;",
          "More memory per slot, fewer columns, earlier filters."),
    _rule("C005", "large-result-extraction", "Large result pulled to the client", Severity.LOW, "LOW",
          "One execution returned >= 1,000,000 rows to the client.", c005,
          "A fingerprint one execution of which returned at least `large_result_min_rows` rows.",
          "Every row goes through the single leader node and the client connection.",
          "SELECT * FROM sales WHERE sale_date >= '2026-01-01';  -- 40 million rows to a laptop",
          "UNLOAD ('SELECT ...') TO 's3://bucket/prefix/' IAM_ROLE '...' FORMAT PARQUET;",
          "UNLOAD to S3 instead of a SELECT."),
]
