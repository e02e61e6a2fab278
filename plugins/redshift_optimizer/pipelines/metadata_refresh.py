"""The daily metadata refresh: snapshot, profile, slow queries, diff, alert, metrics.

Each step reads what it needs from the lake and writes its own object, so the DAG passes
only keys and small summaries between tasks. The run's day decides every key and window;
re-running a day overwrites that day's objects.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from redshift_optimizer import lake_keys
from redshift_optimizer.adapters.notifications import Metrics, Notifier
from redshift_optimizer.catalog.diff import diff_snapshots, summarize_diff
from redshift_optimizer.catalog.profile import profile_snapshot
from redshift_optimizer.catalog.slow_queries import collect_slow_queries
from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
from redshift_optimizer.errors import LakeError
from redshift_optimizer.models.lake import Lake, SchemaSnapshot, run_day_keys
from redshift_optimizer.settings import Settings
from redshift_optimizer.warehouse import Warehouse

log = logging.getLogger(__name__)


def day_window(day: date) -> tuple[datetime, datetime]:
    """The UTC calendar day [00:00, next 00:00) whose queries the run collects."""
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def now_utc() -> datetime:
    """The extraction instant, recorded as extract_timestamp (never used for keys)."""
    return datetime.now(timezone.utc)


def snapshot_schema(warehouse: Warehouse, lake: Lake, settings: Settings, day: date) -> dict[str, Any]:
    """Extract the schema snapshot and write the day's dated object."""
    snapshot = extract_schema_snapshot(warehouse, now_utc(), settings.schemas)
    key = run_day_keys(day)["schema_dated"]
    uri = lake.write_json(key, snapshot)
    log.info("schema snapshot: %d tables, version %s, %d round trips -> %s",
             len(snapshot.tables), snapshot.schema_version[:12], warehouse.round_trips, uri)
    return {"key": key, "tables": len(snapshot.tables), "schema_version": snapshot.schema_version,
            "database": snapshot.source.database}


def profile_data(warehouse: Warehouse, lake: Lake, settings: Settings, day: date) -> dict[str, Any]:
    """Profile the tables of the day's snapshot and write the day's profile object."""
    keys = run_day_keys(day)
    snapshot = lake.read_model(keys["schema_dated"], SchemaSnapshot)
    if snapshot is None:
        raise LakeError(f"no schema snapshot at {lake.uri(keys['schema_dated'])}: run the snapshot step first")
    profile = profile_snapshot(
        warehouse, snapshot, now_utc(),
        sample_rows=settings.profile_sample_rows,
        top_values_max_distinct=settings.profile_top_values_max_distinct,
        top_values_count=settings.profile_top_values_count,
        max_tables=settings.profile_max_tables,
        progress=log.info,
    )
    uri = lake.write_json(keys["profile"], profile)
    log.info("data profile: %d tables, %d round trips -> %s", len(profile.tables), warehouse.round_trips, uri)
    return {"key": keys["profile"], "tables": len(profile.tables)}


def gather_slow_queries(warehouse: Warehouse, lake: Lake, settings: Settings, day: date) -> dict[str, Any]:
    """Collect the day's slow queries and write the day's slow_queries object."""
    start, end = day_window(day)
    slow = collect_slow_queries(
        warehouse, start, end, settings.slow_query_threshold_ms, settings.slow_query_limit
    )
    key = run_day_keys(day)["slow_queries"]
    uri = lake.write_json(key, slow)
    log.info("slow queries: %d fingerprints from %s over %s ms -> %s",
             len(slow.queries), slow.source_view, settings.slow_query_threshold_ms, uri)
    return {"key": key, "fingerprints": len(slow.queries),
            "executions": sum(q.executions for q in slow.queries)}


def previous_snapshot_day(lake: Lake, day: date) -> date | None:
    """The newest day before ``day`` that has a dated snapshot."""
    days = [d for key in lake.list_keys(lake_keys.SCHEMA_DATED_PREFIX) if (d := lake_keys.schema_dated_day(key))]
    earlier = [d for d in days if d < day]
    return max(earlier) if earlier else None


def publish_schema(lake: Lake, notifier: Notifier, day: date) -> dict[str, Any]:
    """Diff against the previous day's snapshot, write the diff, update the latest snapshot.

    The latest ``schema.json`` only moves forward: a backfilled past day leaves it alone.
    One SNS message summarizes a change.
    """
    keys = run_day_keys(day)
    current = lake.read_model(keys["schema_dated"], SchemaSnapshot)
    if current is None:
        raise LakeError(f"no schema snapshot at {lake.uri(keys['schema_dated'])}")
    newer = [k for k in lake.list_keys(lake_keys.SCHEMA_DATED_PREFIX)
             if (d := lake_keys.schema_dated_day(k)) and d > day]
    if not newer:
        lake.write_json(keys["schema_latest"], current)

    result: dict[str, Any] = {"changes": 0, "diff_key": None, "message_id": None}
    previous_day = previous_snapshot_day(lake, day)
    if previous_day is None:
        log.info("no earlier snapshot: nothing to compare with")
        return result
    previous = lake.read_model(run_day_keys(previous_day)["schema_dated"], SchemaSnapshot)
    diff = diff_snapshots(previous, current, previous_day.isoformat(), day.isoformat())
    if diff.is_empty:
        lake.delete(keys["schema_diff"])  # a re-run after a revert must not leave a stale diff
        log.info("no schema change since %s", previous_day)
        return result
    uri = lake.write_json(keys["schema_diff"], diff)
    summary = summarize_diff(diff)
    log.info("schema changes since %s (%d):\n%s", previous_day, diff.change_count, summary)
    message = (
        f"Redshift schema changed between {previous_day} and {day} "
        f"({diff.change_count} change(s), database {current.source.database}).\n\n"
        f"{summary}\n\nDiff: {uri}\nSnapshot: {lake.uri(keys['schema_dated'])}\n"
    )
    result.update(
        changes=diff.change_count,
        diff_key=keys["schema_diff"],
        message_id=notifier.publish(f"Redshift schema changes on {day}", message),
    )
    return result


def publish_metrics(metrics: Metrics, day: date, database: str, tables: int, changes: int) -> None:
    """MetadataTablesProcessed and SchemaChangesDetected, stamped with the run's day.

    CloudWatch refuses data points older than two weeks, so a backfill of an older day
    skips its metrics (the lake objects are still written).
    """
    start, _ = day_window(day)
    if now_utc() - start > timedelta(days=14):
        log.warning("metrics for %s skipped: CloudWatch accepts at most two weeks of history", day)
        return
    metrics.put(
        {"MetadataTablesProcessed": tables, "SchemaChangesDetected": changes},
        timestamp=start,
        dimensions={"Database": database},
    )


def refreshed_event(day: date, snapshot: dict[str, Any], changes: dict[str, Any], profile: dict[str, Any],
                    slow: dict[str, Any]) -> dict[str, Any]:
    """The extra of the day's METADATA_REFRESHED event: the day and its objects' keys."""
    return {"run_date": day.isoformat(),
            "keys": {"schema": snapshot["key"], "profile": profile["key"], "slow_queries": slow["key"],
                     "diff": changes["diff_key"]}}
