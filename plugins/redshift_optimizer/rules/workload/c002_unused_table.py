"""C002 unused-table: large table nobody reads."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import WorkloadContext


def check(ctx: WorkloadContext) -> Iterator[Hit]:
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


RULE = Rule(
    code="C002",
    name="unused-table",
    title="Large table nobody reads",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="A table of >= 1,024 MB that no query in the window read.",
    documentation=Documentation(
        what="A table of at least `unused_table_min_mb` that none of the window's queries reads.",
        why="It costs managed storage, backups and vacuum time.",
        anti_pattern="-- public.events_2019_backup, 300 GB, last read a year ago",
        better="UNLOAD ('SELECT * FROM public.events_2019_backup') TO 's3://archive/...' FORMAT PARQUET;",
    ),
    fix="UNLOAD to S3 (query it with Spectrum) and drop it, after confirming nothing else reads it.",
    check=check,
    scope="workload",
    needs=("workload",),
)
