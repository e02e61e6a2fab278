"""The daily query optimization: the four agents over the day's most expensive fingerprints.

Steps (one DAG task each; they pass only lake keys and small summaries):

1. :func:`plan_day`: read the day's snapshot, profile and slow queries from the lake, pick
   the top N fingerprints by total elapsed time, review the schema and workload once (T and
   C findings), and list the (agent, fingerprint) pairs not yet analysed with this engine,
   prompt version and snapshot on this day. Writes ``plan.json`` in the run's work area.
2. :func:`check_data`: the V checks, as SQL in the warehouse, for the tables the pending
   validation agents need (``validation.json``).
3. :func:`build_contexts`: one context per pending pair: the rule findings, the touched
   tables only, the citable metrics (``contexts/<hash>/<agent>.json``).
4. :func:`run_agent`: one agent on one fingerprint with the run's engine; its result (or
   its failure) goes to ``results/<hash>/<agent>.json``.
5. :func:`persist_results`: merge each fingerprint's results with what the history already
   has, store the record in DynamoDB and the S3 archive; runs whatever the agents did.
6. :func:`send_alert`: one SNS message (and Slack) when a new result is HIGH or above or a
   validation check failed.

The work area is ``optimizer-runs/<run_id>/`` in the lake, one per DAG run.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Any, Mapping

from redshift_optimizer import lake_keys
from redshift_optimizer.agents.context import (
    AgentContext,
    query_metrics,
    table_metadata,
    table_metrics,
    touched_tables,
)
from redshift_optimizer.agents.engines import AgentEngine, BedrockEngine, RulesEngine
from redshift_optimizer.agents.prompts import load_prompts
from redshift_optimizer.agents.validation import (
    Limits,
    TableValidation,
    ValidationPlan,
    manifest_prefix,
    primary_key_for,
    reference_time,
    validate_table,
)
from redshift_optimizer.errors import LakeError, NotRetryable
from redshift_optimizer.history.archive import RecommendationArchive, archive_reader
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import (
    AGENT_NAMES,
    COST_SAVER,
    DATA_VALIDATION,
    QUERY_OPTIMIZER,
    SCHEMA_NORMALIZER,
    AgentResult,
    AgentStatus,
    AnalysisRecord,
    QueryInfo,
    analysis_timestamp,
)
from redshift_optimizer.models.findings import SchemaReview, Severity
from redshift_optimizer.models.lake import (
    DataProfile,
    EtlManifest,
    Lake,
    SchemaSnapshot,
    SlowQueries,
    SlowQuery,
    run_day_keys,
    utc_timestamp,
)
from redshift_optimizer.settings import Settings

log = logging.getLogger(__name__)

WORK_PREFIX = lake_keys.RUNS_PREFIX
#: Codes whose findings matter to the cost-saver's storage view of the touched tables.
_STORAGE_TABLE_CODES = ("T004", "T008", "T011")
_WORKLOAD_TOP = 5


# ------------------------------------------------------------------------- adapters

def open_history(settings: Settings, lake: Lake | None = None) -> HistoryStore:
    """The history table of the settings (records too big for an item are read from S3)."""
    from redshift_optimizer.history.dynamodb import DynamoHistoryStore

    return DynamoHistoryStore(settings.history_table, aws_conn_id=settings.aws_conn_id,
                              archive_reader=archive_reader(lake))


def open_alert_sender(settings: Settings) -> Any:
    from redshift_optimizer.adapters.alerts import AlertSender
    from redshift_optimizer.adapters.notifications import Notifier

    webhook = settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None
    return AlertSender(Notifier(settings.alerts_topic, aws_conn_id=settings.aws_conn_id, setting="alerts_topic"), webhook)


# --------------------------------------------------------------------------- the day

def optimization_day(context: Mapping[str, Any]) -> date:
    """The day a run analyses: params ``run_date``; else the ``run_date`` in the extra of the
    triggering METADATA_REFRESHED event (asset-triggered runs have no data interval); else
    the data interval's start (scheduled runs and backfills)."""
    from redshift_optimizer.runtime import run_day

    if (context.get("params") or {}).get("run_date"):
        return run_day(context)
    days: list[date] = []
    events = context.get("triggering_asset_events") or {}
    try:
        for asset_events in events.values():
            for event in asset_events:
                value = (getattr(event, "extra", None) or {}).get("run_date")
                if value:
                    days.append(date.fromisoformat(str(value)))
    except (AttributeError, TypeError, ValueError) as exc:
        log.warning("cannot read the triggering asset events (%s); using the run's interval", exc)
    if days:
        if len(set(days)) > 1:
            log.warning("this run was triggered by refreshes of %s; it analyses the newest, %s. Run the "
                        "others with params run_date or `airflow backfill create`.",
                        ", ".join(sorted(map(str, set(days)))), max(days))
        return max(days)
    return run_day(context)


def work_prefix(run_id: str) -> str:
    """The run's work area in the lake (expire ``optimizer-runs/`` with a lifecycle rule)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id)[:160]
    return lake_keys.run_area(safe)


def engine_identity(settings: Settings) -> tuple[str, str]:
    """(engine, prompt version) of the run. For the rules engine the 'prompt' is the rule
    catalogue: a new rules version is a new analysis, like a new prompt version."""
    from redshift_optimizer.rules.catalogue import RULES_VERSION

    engine = settings.resolved_agent_engine()
    return engine, (settings.prompt_version if engine == "bedrock" else f"rules-{RULES_VERSION}")


def analysis_settings(settings: Settings) -> Any:
    """The analyzer's thresholds and prices from the product's settings."""
    from redshift_optimizer.rules.settings import AnalysisSettings

    return AnalysisSettings.from_settings(
        settings, price_per_rpu_hour=settings.price_per_rpu_hour, base_rpu=settings.base_rpu,
        price_per_node_hour=settings.price_per_node_hour, node_count=settings.node_count,
    )


class MissingMetadata(LakeError, NotRetryable):
    """The day's snapshot or slow queries are not in the lake: retrying cannot help."""


def _read_day(lake: Lake, day: date) -> tuple[SchemaSnapshot, DataProfile | None, SlowQueries]:
    keys = run_day_keys(day)
    snapshot = lake.read_model(keys["schema_dated"], SchemaSnapshot)
    slow = lake.read_model(keys["slow_queries"], SlowQueries)
    missing = [lake.uri(k) for k, v in ((keys["schema_dated"], snapshot), (keys["slow_queries"], slow)) if v is None]
    if missing:
        raise MissingMetadata(f"no metadata for {day}: {', '.join(missing)} missing; run the metadata refresh "
                        "for that day first (redshift_metadata_refresh with params run_date)")
    return snapshot, lake.read_model(keys["profile"], DataProfile), slow


def top_queries(slow: SlowQueries, limit: int) -> list[SlowQuery]:
    """The ``limit`` fingerprints with the most total elapsed time (ties: by hash)."""
    return sorted(slow.queries, key=lambda q: (-(q.total_elapsed_ms or 0.0), q.query_hash))[:limit]


# ---------------------------------------------------------------------------- 1. plan

def plan_day(lake: Lake, history: HistoryStore, settings: Settings, day: date, run_id: str) -> dict[str, Any]:
    """Choose the fingerprints, review the schema once, and list the pending agents."""
    from redshift_optimizer.analysis import review_schema

    snapshot, profile, slow = _read_day(lake, day)
    engine, prompt_version = engine_identity(settings)
    prefix = work_prefix(run_id)
    chosen = top_queries(slow, settings.top_queries)
    review = review_schema(snapshot, profile, slow, settings=analysis_settings(settings))
    lake.write_json(f"{prefix}/review.json", review)

    pending: dict[str, list[str]] = {agent: [] for agent in AGENT_NAMES}
    queries = []
    for rank, query in enumerate(chosen, 1):
        timestamp = analysis_timestamp(day.isoformat(), engine, prompt_version, snapshot.schema_version)
        existing = history.find(query.query_hash, timestamp)
        done = {name for name, result in (existing.agents.items() if existing else []) if result.succeeded}
        for agent in AGENT_NAMES:
            if agent not in done:
                pending[agent].append(query.query_hash)
        queries.append({"query_hash": query.query_hash, "rank": rank, "analysis_timestamp": timestamp,
                        "already_done": sorted(done)})
    plan = {
        "run_date": day.isoformat(), "run_id": run_id, "engine": engine, "prompt_version": prompt_version,
        "model_id": settings.bedrock_model_id if engine == "bedrock" else None,
        "schema_version": snapshot.schema_version, "rules_version": review.rules_version,
        "queries": queries, "pending": pending, "window_days": _window_days(slow),
    }
    lake.write_json(f"{prefix}/plan.json", plan)
    todo = sum(len(v) for v in pending.values())
    log.info("%s: %d of %d fingerprints chosen; %d agent run(s) pending with %s / %s (snapshot %s)",
             day, len(chosen), len(slow.queries), todo, engine, prompt_version, snapshot.schema_version[:12])
    return {"work_prefix": prefix, "run_date": day.isoformat(), **pending}


def _window_days(slow: SlowQueries) -> float:
    try:
        start = datetime.fromisoformat(slow.window_start.replace("Z", "+00:00"))
        end = datetime.fromisoformat(slow.window_end.replace("Z", "+00:00"))
        return max((end - start).total_seconds() / 86400.0, 1 / 24)
    except ValueError:
        return 1.0


class MissingPlan(LakeError, NotRetryable):
    """The run has no plan: plan_day did not succeed, so there is nothing to do."""


def _plan(lake: Lake, prefix: str) -> dict[str, Any]:
    plan = lake.read_json(f"{prefix}/plan.json")
    if plan is None:
        raise MissingPlan(f"no plan at {lake.uri(prefix + '/plan.json')}: plan_day did not succeed in this run")
    return plan


def _slow_by_hash(slow: SlowQueries) -> dict[str, SlowQuery]:
    return {q.query_hash: q for q in slow.queries}


# ---------------------------------------------------------------------- 2. data checks

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


def check_data(warehouse: Any, lake: Lake, settings: Settings, prefix: str) -> dict[str, Any]:
    """Run the V checks for the tables the pending validation agents need."""
    plan = _plan(lake, prefix)
    day = date.fromisoformat(plan["run_date"])
    hashes = set(plan["pending"][DATA_VALIDATION])
    report: dict[str, Any] = {"tables": {}, "error": None}
    if not hashes:
        lake.write_json(f"{prefix}/validation.json", report)
        return {"tables": 0, "failed_checks": 0}
    snapshot, _, slow = _read_day(lake, day)
    by_hash = _slow_by_hash(slow)
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
    lake.write_json(f"{prefix}/validation.json", report)
    log.info("validation: %d table(s) checked in %d round trip(s), %d failed check(s)",
             len(report["tables"]), getattr(warehouse, "round_trips", 0), failed)
    return {"tables": len(report["tables"]), "failed_checks": failed}


# ---------------------------------------------------------------------- 3. contexts

def build_contexts(lake: Lake, settings: Settings, prefix: str, warehouse: Any = None,
                   proof_engine: Any = None) -> list[str]:
    """One context per pending (agent, fingerprint), from the plan's inputs; returns the
    fingerprints with at least one pending agent (what the agent tasks map over)."""
    plan = _plan(lake, prefix)
    day = date.fromisoformat(plan["run_date"])
    snapshot, profile, slow = _read_day(lake, day)
    review = SchemaReview.model_validate(lake.read_json(f"{prefix}/review.json"))
    validation = lake.read_json(f"{prefix}/validation.json")
    validation_error = None
    if validation is None:
        validation_error = "the validation checks did not run (the check_data task failed)"
        validation = {"tables": {}}
    tables = {name: TableValidation.model_validate(data) for name, data in validation["tables"].items()}
    by_hash = _slow_by_hash(slow)
    written, mapped = 0, []
    for entry in plan["queries"]:
        query_hash = entry["query_hash"]
        agents = [a for a in AGENT_NAMES if query_hash in plan["pending"][a]]
        if not agents:
            continue
        mapped.append(query_hash)
        contexts = agent_contexts(
            by_hash[query_hash], entry["rank"], agents, snapshot, profile, review, slow, tables, settings,
            run_date=plan["run_date"], warehouse=warehouse, validation_error=validation_error,
            window_days=plan.get("window_days", 1.0), proof_engine=proof_engine,
        )
        for agent, context in contexts.items():
            lake.write_json(f"{prefix}/contexts/{query_hash}/{agent}.json", context)
            written += 1
    log.info("%d agent context(s) written under %s", written, lake.uri(prefix + "/contexts/"))
    return mapped


def agent_contexts(
    stats: SlowQuery,
    rank: int,
    agents: list[str] | tuple[str, ...],
    snapshot: SchemaSnapshot,
    profile: DataProfile | None,
    review: SchemaReview,
    window: SlowQueries,
    validation: Mapping[str, TableValidation],
    settings: Settings,
    *,
    run_date: str,
    warehouse: Any = None,
    validation_error: str | None = None,
    window_days: float = 1.0,
    proof_engine: Any = None,
) -> dict[str, AgentContext]:
    """The contexts of ``agents`` for one fingerprint (pure: no lake, no Airflow).

    ``review`` is :func:`redshift_optimizer.analysis.review_schema` of the snapshot and
    window; ``validation`` the V checks per table (:func:`check_data`). An ad-hoc analysis
    of one query passes a window holding only that query."""
    from redshift_optimizer.analysis import analyze
    from redshift_optimizer.rules.parsing import SqlInputError

    config = analysis_settings(settings)
    price_per_second = config.price_per_second()
    query_hash = stats.query_hash
    tables = touched_tables(stats.query_text, snapshot)
    names = {t.table_name for t in tables}
    metadata = [table_metadata(t, profile) for t in tables]
    metrics = {**query_metrics(stats, rank, price_per_second, window_days), **table_metrics(metadata)}
    base = dict(
        run_date=run_date, schema_version=snapshot.schema_version, rules_version=review.rules_version,
        query=QueryInfo(query_hash=query_hash, fingerprint=stats.fingerprint, query_text=stats.query_text,
                        database=stats.database, user=stats.user, executions=stats.executions,
                        total_elapsed_ms=stats.total_elapsed_ms, mean_elapsed_ms=stats.mean_elapsed_ms, rank=rank),
        tables=metadata, prices={"price_per_second": price_per_second,
                                 "storage_price_per_gb_month": config.storage_price_per_gb_month},
    )
    contexts: dict[str, AgentContext] = {}
    for agent in agents:
        extra: dict[str, Any] = {"metrics": dict(metrics)}
        if agent == QUERY_OPTIMIZER:
            verify_on = warehouse if settings.verify_rewrites_in_warehouse else None
            try:
                result = analyze(stats.query_text, snapshot, stats, profile, settings=config, warehouse=verify_on,
                                 proof_engine=proof_engine)
                extra.update(findings=result.findings, optimized_query=result.optimized_query,
                             rewrites=result.rewrites, verification=result.verification,
                             verification_notes=result.verification_notes, rewrite_cost=result.cost)
            except SqlInputError as exc:
                extra["parse_error"] = str(exc)
        elif agent == SCHEMA_NORMALIZER:
            extra["findings"] = schema_findings(review, names)
        elif agent == COST_SAVER:
            workload = _workload_summary(window, price_per_second, window_days)
            top = workload[:_WORKLOAD_TOP]
            if not any(w["query_hash"] == query_hash for w in top):
                top = top + [w for w in workload if w["query_hash"] == query_hash]
            extra.update(findings=cost_findings(review, query_hash, names), workload=top)
            for w in top:
                for key in ("executions", "total_elapsed_seconds", "cost_per_day", "share_of_workload_pct"):
                    extra["metrics"][f"workload.{w['query_hash']}.{key}"] = w.get(key)
        elif agent == DATA_VALIDATION:
            checks, findings = [], []
            for name in sorted(names):
                if name in validation:
                    checks += validation[name].checks
                    findings += validation[name].findings
            extra.update(validation_checks=checks, findings=findings)
            for check in checks:
                key = f"check.{check.code}.{check.table}" + (f".{check.column}" if check.column else "")
                extra["metrics"][key] = check.status
            if validation_error:
                extra["parse_error"] = validation_error
        contexts[agent] = AgentContext(agent_name=agent, **base, **extra)
    return contexts


def schema_findings(review: SchemaReview, tables: set[str]) -> list:
    """The schema-normalizer's findings: the T findings of the touched tables only."""
    return [f for f in review.table_findings if f.table in tables]


def cost_findings(review: SchemaReview, query_hash: str, tables: set[str], general_limit: int = 10) -> list:
    """The cost-saver's findings: this fingerprint's C findings, the workload-wide ones
    (unused tables, largest first, capped), and the storage T findings of the touched tables."""
    mine = [f for f in review.workload_findings if f.query_hash == query_hash]
    general = sorted((f for f in review.workload_findings if f.query_hash is None),
                     key=lambda f: -((f.saving or {}).get("money_per_day") or 0))[:general_limit]
    storage = [f for f in review.table_findings if f.table in tables and f.code in _STORAGE_TABLE_CODES]
    return [*mine, *general, *storage]


def _workload_summary(slow: SlowQueries, price_per_second: float, days: float) -> list[dict[str, Any]]:
    total = sum(q.total_elapsed_ms or 0 for q in slow.queries) or 1.0
    summary = []
    for q in top_queries(slow, len(slow.queries)):
        seconds = (q.total_elapsed_ms or 0) / 1000.0 / max(days, 1e-9)
        summary.append({
            "query_hash": q.query_hash, "executions": q.executions,
            "total_elapsed_seconds": round(seconds, 3), "cost_per_day": round(seconds * price_per_second, 4),
            "share_of_workload_pct": round(100.0 * (q.total_elapsed_ms or 0) / total, 2),
        })
    return summary


# -------------------------------------------------------------------------- 4. agents

def make_engine(settings: Settings, lake: Lake, plan: Mapping[str, Any], warehouse: Any = None) -> AgentEngine:
    """The engine the plan recorded (settings changed mid-run do not mix engines)."""
    if plan["engine"] == "rules":
        return RulesEngine(plan["prompt_version"])
    from redshift_optimizer.adapters.bedrock import ConverseClient

    prompts = load_prompts(settings.model_copy(update={"prompt_version": plan["prompt_version"]}), lake)
    client = ConverseClient(
        plan["model_id"] or settings.bedrock_model_id, aws_conn_id=settings.aws_conn_id,
        region_name=settings.bedrock_region, max_attempts=settings.bedrock_max_attempts,
        backoff_seconds=settings.bedrock_backoff_seconds, backoff_max_seconds=settings.bedrock_backoff_max_seconds,
        timeout_seconds=settings.bedrock_timeout_seconds,
    )
    return BedrockEngine(
        client, prompts, max_tokens=settings.bedrock_max_tokens, temperature=settings.bedrock_temperature,
        input_price_per_1k=settings.bedrock_input_price_per_1k, output_price_per_1k=settings.bedrock_output_price_per_1k,
        warehouse=warehouse if settings.verify_rewrites_in_warehouse else None,
    )


class AgentNotPending(Exception):
    """This agent already has a stored result for this fingerprint, engine and day."""


def result_key(prefix: str, query_hash: str, agent: str) -> str:
    return f"{prefix}/results/{query_hash}/{agent}.json"


def run_agent(lake: Lake, settings: Settings, prefix: str, agent: str, query_hash: str,
              engine: AgentEngine | None = None) -> dict[str, Any]:
    """Run one agent on one fingerprint; its result goes to the work area. An exception is
    recorded as a failed result first, then raised (the task fails and retries)."""
    plan = _plan(lake, prefix)
    if query_hash not in plan["pending"][agent]:
        raise AgentNotPending(f"{agent} already analysed {query_hash} on {plan['run_date']} "
                              f"({plan['engine']}, {plan['prompt_version']})")
    context_data = lake.read_json(f"{prefix}/contexts/{query_hash}/{agent}.json")
    if context_data is None:
        raise LakeError(f"no context for {agent} on {query_hash} under {lake.uri(prefix)}")
    ctx = AgentContext.model_validate(context_data)
    if agent == DATA_VALIDATION and ctx.parse_error and not ctx.validation_checks:
        result = AgentResult(agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED,
                             engine=plan["engine"], prompt_version=plan["prompt_version"], error=ctx.parse_error)
        lake.write_json(result_key(prefix, query_hash, agent), result)
        return {"status": result.status.value, "severity": None}
    try:
        engine = engine or make_engine(settings, lake, plan)
        result = engine.run(ctx)
    except Exception as exc:
        failed = AgentResult(agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED,
                             engine=plan["engine"], model_id=plan.get("model_id"),
                             prompt_version=plan["prompt_version"], error=f"{type(exc).__name__}: {exc}")
        lake.write_json(result_key(prefix, query_hash, agent), failed)
        raise
    lake.write_json(result_key(prefix, query_hash, agent), result)
    log.info("%s on %s: %s, severity %s, %d finding(s), %d token(s), verification %s",
             agent, query_hash, result.status.value, result.severity.value if result.severity else "-",
             len(result.findings), result.token_usage.total_tokens, result.verification.value)
    return {"status": result.status.value, "severity": result.severity.value if result.severity else None}


# ------------------------------------------------------------------------ 5. persist

def persist_results(lake: Lake, history: HistoryStore, settings: Settings, prefix: str) -> dict[str, Any]:
    """Merge every fingerprint's new results into its history record and archive it.

    Runs whatever happened upstream: an agent that left no result is recorded as failed,
    the others are kept. A succeeded result already stored is never replaced; a record is
    written only when it changed (so re-running a day writes nothing)."""
    plan = _plan(lake, prefix)
    _, _, slow = _read_day(lake, date.fromisoformat(plan["run_date"]))
    by_hash = _slow_by_hash(slow)
    archive = RecommendationArchive(lake)
    stored, alerts = [], []
    for entry in plan["queries"]:
        query_hash = entry["query_hash"]
        agents = [a for a in AGENT_NAMES if query_hash in plan["pending"][a]]
        if not agents:
            continue
        existing = history.find(query_hash, entry["analysis_timestamp"])
        new: dict[str, AgentResult] = {}
        for agent in agents:
            data = lake.read_json(result_key(prefix, query_hash, agent))
            new[agent] = AgentResult.model_validate(data) if data is not None else AgentResult(
                agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED, engine=plan["engine"],
                prompt_version=plan["prompt_version"], error="the agent's task did not run (an upstream task failed)")
        merged = dict(existing.agents) if existing else {}
        changed = False
        for agent, result in new.items():
            old = merged.get(agent)
            if old is not None and old.succeeded:
                continue
            if old is not None and not result.succeeded and old.error == result.error:
                continue  # the same failure again: nothing new to write
            merged[agent] = result
            changed = True
        if not changed:
            continue
        stats = by_hash[query_hash]
        record = AnalysisRecord(
            query_hash=query_hash, analysis_timestamp=entry["analysis_timestamp"], run_date=plan["run_date"],
            analyzed_at=utc_timestamp(datetime.now(timezone.utc)), engine=plan["engine"],
            prompt_version=plan["prompt_version"], schema_version=plan["schema_version"],
            rules_version=plan.get("rules_version"), model_id=plan.get("model_id"),
            query=QueryInfo(query_hash=query_hash, fingerprint=stats.fingerprint, query_text=stats.query_text,
                            database=stats.database, user=stats.user, executions=stats.executions,
                            total_elapsed_ms=stats.total_elapsed_ms, mean_elapsed_ms=stats.mean_elapsed_ms,
                            rank=entry["rank"]),
            agents={name: merged[name] for name in AGENT_NAMES if name in merged},
            archive_uri=archive.uri(plan["run_date"], query_hash),
            revision=(existing.revision + 1) if existing else 1,
        )
        archive.store(record)
        if history.put(record):
            stored.append(query_hash)
            alert = _alert_entry(record, new, settings)
            if alert:
                alerts.append(alert)
    log.info("%d record(s) stored, %d alerting", len(stored), len(alerts))
    return {"run_date": plan["run_date"], "stored": stored, "alerts": alerts,
            "failed_agents": sum(1 for q in plan["queries"] for a in AGENT_NAMES
                                 if q["query_hash"] in plan["pending"][a]
                                 and (lake.read_json(result_key(prefix, q["query_hash"], a)) or {}).get("status") != "succeeded")}


def _alert_entry(record: AnalysisRecord, new: dict[str, AgentResult], settings: Settings) -> dict[str, Any] | None:
    threshold = Severity.parse(settings.alert_min_severity)
    reasons = []
    for agent, result in new.items():
        if not result.succeeded:
            continue
        severe = sorted({f.code for f in result.findings if f.severity >= threshold})
        failed_checks = [c for c in (result.output or {}).get("validation_checks", []) if c.get("status") == "failed"]
        if severe or failed_checks:
            reasons.append({"agent": agent, "severity": result.severity.value if result.severity else None,
                            "codes": severe or sorted({c["code"] for c in failed_checks}),
                            "failed_checks": len(failed_checks)})
    if not reasons:
        return None
    return {"query_hash": record.query_hash, "rank": record.query.rank,
            "severity": record.severity.value if record.severity else None,
            "fingerprint": record.query.fingerprint[:160], "agents": reasons, "archive_uri": record.archive_uri,
            "failed_agents": sorted(n for n, r in record.agents.items() if not r.succeeded)}


# -------------------------------------------------------------------------- 6. alert

def alert_message(persisted: Mapping[str, Any], settings: Settings, archive_uri: str) -> tuple[str, str] | None:
    """(subject, body) of the run's alert, or None when nothing alerts."""
    alerts = persisted.get("alerts") or []
    if not alerts:
        return None
    day = persisted["run_date"]
    worst = max((Severity(a["severity"]) for a in alerts if a.get("severity")), default=None)
    subject = f"Redshift optimization {day}: {len(alerts)} query(ies) need attention" + (f" ({worst.value})" if worst else "")
    lines = [f"The daily optimization of {day} found results at {settings.alert_min_severity} or above, or failed "
             f"validation checks, for {len(alerts)} fingerprint(s):", ""]
    for a in alerts:
        lines.append(f"- #{a['rank']} {a['query_hash']} [{a.get('severity') or '-'}] {a['fingerprint']}")
        for reason in a["agents"]:
            checks = f", {reason['failed_checks']} failed check(s)" if reason["failed_checks"] else ""
            lines.append(f"    {reason['agent']}: {', '.join(reason['codes'])}{checks}")
        if a.get("failed_agents"):
            lines.append(f"    agents that failed: {', '.join(a['failed_agents'])}")
        lines.append(f"    details: {a['archive_uri']}")
    lines += ["", f"All of the day's results: {archive_uri}",
              f"History: DynamoDB table {settings.history_table} (index by-severity-day, day_key from {day})"]
    return subject, "\n".join(lines) + "\n"


def send_alert(sender: Any, lake: Lake, settings: Settings, persisted: Mapping[str, Any]) -> dict[str, Any]:
    """One message for the run when something alerts; nothing otherwise."""
    day = date.fromisoformat(persisted["run_date"])
    message = alert_message(persisted, settings, lake.uri(lake_keys.recommendations(day)))
    if message is None:
        log.info("nothing to alert on")
        return {"sent": False}
    sent = sender.send(*message)
    log.info("alert sent: SNS message %s%s", sent["message_id"],
             "" if sent.get("slack") is None else f", Slack {'ok' if sent['slack'] else 'failed'}")
    return {"sent": True, **sent}


__all__ = [
    "AgentNotPending",
    "MissingMetadata",
    "MissingPlan",
    "alert_message",
    "agent_contexts",
    "analysis_settings",
    "build_contexts",
    "cost_findings",
    "schema_findings",
    "check_data",
    "engine_identity",
    "make_engine",
    "open_alert_sender",
    "open_history",
    "optimization_day",
    "persist_results",
    "plan_day",
    "run_agent",
    "send_alert",
    "top_queries",
    "work_prefix",
]
