"""The data checks of a run (V codes, as SQL in the warehouse) for the tables the pending
validation agents need; written to the work area's ``validation.json``."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from redshift_optimizer import lake_keys
from redshift_optimizer.agents.context import touched_tables
from redshift_optimizer.agents.validation import (
    Limits,
    ValidationPlan,
    manifest_prefix,
    primary_key_for,
    reference_time,
    validate_table,
)
from redshift_optimizer.models.agents import DATA_VALIDATION
from redshift_optimizer.models.lake import DataProfile, EtlManifest, Lake, run_day_keys
from redshift_optimizer.pipelines.plans import read_plan, read_sources, slow_by_hash
from redshift_optimizer.settings import Settings
from redshift_optimizer.warehouse import Warehouse
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)

def previous_profile(lake: Lake, day: date) -> tuple[DataProfile | None, str | None]:
    """The newest profile strictly before ``day`` (the V003/V005 baseline)."""
    days = sorted((d for key in lake.list_keys(lake_keys.PROFILE_PREFIX) if (d := lake_keys.profile_day(key))),
                  reverse=True)
    for earlier in days:
        if earlier < day:
            return lake.read_model(run_day_keys(earlier)["profile"], DataProfile), earlier.isoformat()
    return None, None


def day_manifests(lake: Lake, table: str, day: date) -> list[EtlManifest]:
    manifests = []
    for key in lake.list_keys(manifest_prefix(table, day)):
        if key.endswith(".json"):
            data = lake.read_json(key)
            if data is not None:
                manifests.append(EtlManifest.model_validate(data))
    return sorted(manifests, key=lambda m: (m.loaded_at, m.load_id))


def check_data(warehouse: Warehouse, lake: Lake, settings: Settings, area: WorkArea) -> dict[str, Any]:
    """Run the V checks for the tables the pending validation agents need."""
    plan = read_plan(lake, area)
    day = plan.day
    hashes = set(plan.pending.get(DATA_VALIDATION, []))
    report: dict[str, Any] = {"tables": {}, "error": None}
    if not hashes:
        lake.write_json(area.validation, report)
        return {"tables": 0, "failed_checks": 0}
    snapshot, _, slow = read_sources(lake, plan)
    by_hash = slow_by_hash(slow)
    usage: dict[str, int] = {}
    for query_hash in hashes:
        for table in touched_tables(by_hash[query_hash].query_text, snapshot):
            usage[table.table_name] = usage.get(table.table_name, 0) + 1
    baseline, baseline_day = previous_profile(lake, day)
    limits = Limits(settings.validation_row_count_tolerance, settings.validation_null_ratio_change,
                    settings.validation_range_drift, settings.profile_sample_rows, settings.validation_load_column)
    freshness = {k.lower(): v for k, v in settings.validation_freshness.items()}
    plans = []
    for name in sorted(usage, key=lambda n: (-usage[n], n)):
        table = snapshot.table(name)
        manifests = day_manifests(lake, name, day)
        previous = baseline.table(name) if baseline is not None else None
        fresh = freshness.get(name.lower())
        if not manifests and previous is None and fresh is None:
            continue
        plans.append(ValidationPlan(
            table=table, manifests=manifests, previous=previous, previous_date=baseline_day,
            primary_key=primary_key_for(table, manifests, settings.validation_primary_keys),
            freshness_column=fresh.column if fresh else None, freshness_sla_hours=fresh.sla_hours if fresh else None,
        ))
    reference = reference_time(day)
    failed = 0
    for plan_entry in plans[: settings.validation_max_tables]:
        result = validate_table(warehouse, plan_entry, limits, reference)
        report["tables"][result.table] = result.model_dump(mode="json")
        failed += sum(1 for c in result.checks if c.status == "failed")
    lake.write_json(area.validation, report)
    log.info("validation: %d table(s) checked in %d round trip(s), %d failed check(s)",
             len(report["tables"]), getattr(warehouse, "round_trips", 0), failed)
    return {"tables": len(report["tables"]), "failed_checks": failed}


__all__ = ["check_data", "day_manifests", "previous_profile"]
