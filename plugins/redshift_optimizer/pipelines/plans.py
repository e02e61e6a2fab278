"""The run's plan and its sources: engine identity, the chosen fingerprints, reading and
writing ``plan.json``, and the lake objects the plan names.

Shared by the daily run (:mod:`.query_optimization`) and the ad-hoc job
(:mod:`.adhoc_optimization`); every later step reads the plan through :func:`read_plan`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from redshift_optimizer.agents.context import top_queries
from redshift_optimizer.errors import LakeError, NotRetryable
from redshift_optimizer.models.lake import DataProfile, Lake, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.models.runs import RunPlan, RunSources
from redshift_optimizer.rules.settings import AnalysisSettings
from redshift_optimizer.settings import Settings
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)


class MissingMetadata(LakeError, NotRetryable):
    """The day's snapshot or slow queries are not in the lake: retrying cannot help."""


class MissingPlan(LakeError, NotRetryable):
    """The run has no plan: its plan step did not succeed, so there is nothing to do."""


def engine_identity(settings: Settings) -> tuple[str, str]:
    """(engine, prompt version) of the run. For the rules engine the 'prompt' is the rule
    catalogue: a new rules version is a new analysis, like a new prompt version."""
    from redshift_optimizer.rules.catalogue import RULES_VERSION

    engine = settings.resolved_agent_engine()
    return engine, (settings.prompt_version if engine == "bedrock" else f"rules-{RULES_VERSION}")


def analysis_settings(settings: Settings) -> AnalysisSettings:
    """The analyzer's thresholds and prices: the settings' ``analysis``."""
    return settings.analysis


def window_days(slow: SlowQueries) -> float:
    try:
        start = datetime.fromisoformat(slow.window_start.replace("Z", "+00:00"))
        end = datetime.fromisoformat(slow.window_end.replace("Z", "+00:00"))
        return max((end - start).total_seconds() / 86400.0, 1 / 24)
    except ValueError:
        return 1.0


def slow_by_hash(slow: SlowQueries) -> dict[str, SlowQuery]:
    return {q.query_hash: q for q in slow.queries}


# ------------------------------------------------------------------------- the plan

def write_plan(lake: Lake, area: WorkArea, plan: RunPlan) -> dict[str, Any]:
    """Store the plan, log it (the Airflow task log shows what the run will do), and
    return what the next tasks get."""
    lake.write_json(area.plan, plan.document())
    log_plan(lake, plan)
    return plan.summary()


def log_plan(lake: Lake, plan: RunPlan) -> None:
    sources = plan.sources
    log.info("plan of %s run %s for %s: engine %s / %s, snapshot %s, %d fingerprint(s), %d agent run(s) pending "
             "-> %s", plan.kind, plan.run_id, plan.run_date, plan.engine, plan.prompt_version,
             plan.schema_version[:12], len(plan.queries), plan.pending_runs,
             lake.uri(plan.work_prefix + "/plan.json") if plan.work_prefix else "-")
    if sources is not None:
        log.info("sources: snapshot %s; profile %s; slow queries %s%s", lake.uri(sources.snapshot),
                 lake.uri(sources.profile) if sources.profile else "none", lake.uri(sources.slow_queries),
                 f"; window {lake.uri(sources.window)}" if sources.window else "")
    for agent, hashes in plan.pending.items():
        log.info("pending %s: %d %s", agent, len(hashes), " ".join(hashes[:20]) + (" ..." if len(hashes) > 20 else ""))


def read_plan(lake: Lake, area: WorkArea) -> RunPlan:
    data = lake.read_json(area.plan)
    if data is None:
        raise MissingPlan(f"no plan at {lake.uri(area.plan)}: the plan step did not succeed in this run")
    return RunPlan.model_validate(data)


def find_plan(lake: Lake, area: WorkArea) -> RunPlan | None:
    data = lake.read_json(area.plan)
    return None if data is None else RunPlan.model_validate(data)


def read_sources(lake: Lake, plan: RunPlan) -> tuple[SchemaSnapshot, DataProfile | None, SlowQueries]:
    """The snapshot, profile and slow queries the plan names; the snapshot and slow queries
    must be there (a daily run's day that was never refreshed fails here, at once)."""
    if plan.sources is None:
        raise MissingPlan(f"the plan of run {plan.run_id} names no sources: re-run it from its plan step")
    return load_sources(lake, plan.sources, plan.run_date)


def load_sources(lake: Lake, sources: RunSources, run_date: str
                 ) -> tuple[SchemaSnapshot, DataProfile | None, SlowQueries]:
    snapshot = lake.read_model(sources.snapshot, SchemaSnapshot)
    slow = lake.read_model(sources.slow_queries, SlowQueries)
    missing = [lake.uri(k) for k, v in ((sources.snapshot, snapshot), (sources.slow_queries, slow)) if v is None]
    if missing:
        raise MissingMetadata(f"no metadata for {run_date}: {', '.join(missing)} missing; run the metadata "
                              "refresh for that day first (redshift_metadata_refresh with params run_date)")
    profile = lake.read_model(sources.profile, DataProfile) if sources.profile else None
    return snapshot, profile, slow


__all__ = [
    "MissingMetadata",
    "MissingPlan",
    "analysis_settings",
    "engine_identity",
    "find_plan",
    "load_sources",
    "log_plan",
    "read_plan",
    "read_sources",
    "slow_by_hash",
    "top_queries",
    "window_days",
    "write_plan",
]
