"""The ad-hoc optimization: the four agents on one submitted query, with the daily steps.

:func:`plan_query` checks the submission once (:class:`~redshift_optimizer.submission.Submission`)
and writes its sources into the job's work area: the latest snapshot (the requested schema
first on the search path) and the latest slow-query window with the submitted query in it
(carrying that window's statistics when the fingerprint ran there). The plan names them,
so the daily steps (``check_data``, ``build_contexts``, ``run_agent``, ``persist_results``)
read them as they read a day's objects.

Two additions of the ad-hoc run:

- :func:`~.rewrite_checks.verify_rewrite` takes the rule engine's rewrite up to
  ``equivalent`` on the warehouse when the settings allow it.
- the job identity: the DAG run id is the job id (:func:`job_run_id`), and the work area is
  named by it alone (:func:`adhoc_work_prefix`), so the API finds a job's plan and results
  from its id.

Pure logic plus the lake, history and warehouse adapters: no Airflow here.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping

import sqlglot
from sqlglot import exp

from redshift_optimizer import lake_keys
from redshift_optimizer.errors import NotRetryable
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import AGENT_NAMES, AgentResult, AnalysisRecord, QueryInfo, analysis_timestamp
from redshift_optimizer.models.lake import (
    DataProfile,
    Lake,
    SchemaSnapshot,
    SlowQueries,
    SlowQuery,
    SnapshotSource,
    utc_timestamp,
)
from redshift_optimizer.models.runs import PlannedQuery, QueryRequest, RunPlan, RunSources
from redshift_optimizer.pipelines.alerts import AgentsFailed
from redshift_optimizer.pipelines.history_merge import NOT_RUN, persist_results
from redshift_optimizer.pipelines.plans import (
    analysis_settings,
    engine_identity,
    find_plan,
    read_plan,
    top_queries,
    window_days,
    write_plan,
)
from redshift_optimizer.pipelines.rewrite_checks import UNCHECKED_NOTE, read_only_session, verify_rewrite
from redshift_optimizer.settings import Settings
from redshift_optimizer.submission import Submission, SubmissionError
from redshift_optimizer.work_area import ADHOC_WORK_PREFIX, JOB_ID_PATTERN, WorkArea, is_job_id

log = logging.getLogger(__name__)

ADHOC_DAG_ID = "redshift_adhoc_optimization"


class RejectedSubmission(NotRetryable):
    """The submitted query does not pass its check: retrying cannot help."""


# ---------------------------------------------------------------------- job identity

def job_run_id(idempotency_token: str | None = None) -> str:
    """The DAG run id of a new job: from an idempotency token (the same token gives the same
    id, so a repeated trigger meets Airflow's 409 instead of starting a second run), else
    random."""
    seed = idempotency_token if idempotency_token is not None else uuid.uuid4().hex
    return "adhoc__" + hashlib.sha256(seed.encode()).hexdigest()[:24]


def adhoc_work_prefix(run_id: str) -> str:
    """The work area of one ad-hoc run (named by the run id alone, so the API finds it)."""
    return WorkArea.adhoc(run_id).prefix


# ------------------------------------------------------------------------- sources

    keys = [k for k in lake.list_keys(prefix) if k.endswith(suffix)]
    return max(keys) if keys else None


def prefer_schema(snapshot: SchemaSnapshot, sql: str, schema: str | None,
                  statements: list[exp.Expression] | None = None) -> SchemaSnapshot:
    """The snapshot with ``schema`` first on the search path: an unqualified table name that
    exists in ``schema`` means that table, so same-named tables of other schemas that the
    query does not name qualified are left out."""
    if not schema:
        return snapshot
    if statements is None:  # parsed here only when the caller has no parse of its own
        try:
            statements = [s for s in sqlglot.parse(sql, read="redshift") if s is not None]
        except Exception:  # noqa: BLE001 - the analyzer reports parse errors
            return snapshot
    bare, qualified = set(), set()
    for statement in statements:
        ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            if table.db:
                qualified.add(f"{table.db}.{table.name}".lower())
            elif table.name and table.name.lower() not in ctes:
                bare.add(table.name.lower())
    wanted = schema.lower()
    shadowing = {t.short_name.lower() for t in snapshot.tables if t.schema_name.lower() == wanted} & bare
    kept = [t for t in snapshot.tables
            if t.schema_name.lower() == wanted or t.short_name.lower() not in shadowing
            or t.table_name.lower() in qualified]
    return snapshot.model_copy(update={"tables": kept})


def empty_snapshot(database: str | None) -> SchemaSnapshot:
    """What the analysis uses before any metadata refresh: no tables (rules that need the
    catalog stay silent)."""
    return SchemaSnapshot(extract_timestamp=utc_timestamp(datetime.now(timezone.utc)),
                          source=SnapshotSource(engine="redshift", database=database or ""),
                          schema_version="no-snapshot", tables=[])


# ----------------------------------------------------------------------------- plan

def plan_query(lake: Lake, history: HistoryStore, settings: Settings, request: QueryRequest, day: date,
               run_id: str) -> dict[str, Any]:
    """The ad-hoc counterpart of ``plan_day``: one fingerprint, the latest snapshot, profile
    and window copied into the work area and named as the plan's sources; writes
    ``plan.json`` and ``review.json``, and returns what ``plan_day`` returns."""
    from redshift_optimizer.analysis import review_schema

    try:  # the one check of a submission (the API ran the same one with its own limits)
        submission = Submission.check(request.sql, settings.submission_limits())
    except SubmissionError as exc:
        raise RejectedSubmission(str(exc)) from None
    sql, fp = submission.sql, submission.fingerprint
    area = WorkArea.adhoc(run_id)

    snapshot = lake.read_model(lake_keys.schema_latest(), SchemaSnapshot) or empty_snapshot(request.database)
    snapshot = prefer_schema(snapshot, sql, request.schema_name, submission.statements)
    lake.write_json(area.snapshot, snapshot)
    profile_key = lake.latest_key(lake_keys.PROFILE_PREFIX, ".json")
    profile = lake.read_model(profile_key, DataProfile) if profile_key else None
    window_key = lake.latest_key(lake_keys.SLOW_QUERIES_PREFIX, f"/{lake_keys.SLOW_QUERIES_NAME}")
    window = lake.read_model(window_key, SlowQueries) if window_key else None
    slow, rank = query_window(window, sql, fp.query_hash, fp.text, request, day)
    lake.write_json(area.slow_queries, slow)

    engine, prompt_version = engine_identity(settings)
    timestamp = analysis_timestamp(day.isoformat(), engine, prompt_version, snapshot.schema_version)
    existing = history.find(fp.query_hash, timestamp)
    # Callers are isolated: the history answers only for the caller's own text. The same
    # shape with other literals (another caller's, or the warehouse's own query of the day)
    # is analysed again on this text, and its results are not merged into that record.
    history_text = "none" if existing is None else "own" if existing.query.query_text == sql else "other"
    done = ({name for name, result in existing.agents.items() if result.succeeded}
            if existing is not None and history_text == "own" else set())
    pending = {agent: ([] if agent in done else [fp.query_hash]) for agent in AGENT_NAMES}
    review = review_schema(snapshot, profile, slow, settings=analysis_settings(settings))
    lake.write_json(area.review, review)
    plan = RunPlan(
        kind="adhoc", run_date=day.isoformat(), run_id=run_id, work_prefix=area.prefix, engine=engine,
        prompt_version=prompt_version, model_id=settings.bedrock_model_id if engine == "bedrock" else None,
        schema_version=snapshot.schema_version, rules_version=review.rules_version,
        queries=[PlannedQuery(query_hash=fp.query_hash, rank=rank, analysis_timestamp=timestamp,
                              already_done=sorted(done), history_text=history_text, fingerprint=fp.text)],
        pending=pending, window_days=window_days(slow), request=request,
        sources=RunSources(snapshot=area.snapshot, profile=profile_key, slow_queries=area.slow_queries,
                           window=window_key),
    )
    return write_plan(lake, area, plan)


def query_window(window: SlowQueries | None, sql: str, query_hash: str, normalized: str, request: QueryRequest,
                 day: date) -> tuple[SlowQueries, int]:
    """The window the agents see: the latest one with the submitted query in it (the
    window's statistics for its fingerprint, the submitted text), and the query's rank."""
    known = next((q for q in window.queries if q.query_hash == query_hash), None) if window else None
    if known is not None:
        entry = known.model_copy(update={"query_text": sql})
    else:  # never ran in the window: no statistics (unknown is null, never made up)
        entry = SlowQuery(query_hash=query_hash, fingerprint=normalized, query_text=sql,
                          database=request.database, user=request.requested_by, executions=0)
    if window is None:
        start = datetime.combine(day, time(), tzinfo=timezone.utc)
        window = SlowQueries(window_start=utc_timestamp(start), window_end=utc_timestamp(start + timedelta(days=1)),
                             threshold_ms=0, source_view="ad-hoc", queries=[])
    queries = [q for q in window.queries if q.query_hash != query_hash] + [entry]
    ranked = [q.query_hash for q in top_queries(SlowQueries(**{**window.model_dump(), "queries": queries}),
                                                len(queries))]
    rank = ranked.index(query_hash) + 1 if known is not None else 0
    return window.model_copy(update={"queries": queries}), rank



# ---------------------------------------------------------------------- job results

def persist_job_results(lake: Lake, history: HistoryStore, settings: Settings, area: WorkArea) -> dict[str, Any]:
    """The daily ``persist_results``, except when the history holds this shape for another
    text (another caller's literals): then the job's results stay in its work area (the job
    page shows them) and that record is left as it is. Then fails the run (without a retry)
    when an agent failed or did not run, so the job does not show a green run hiding it."""
    plan = read_plan(lake, area)
    entry = plan.queries[0]
    # Checked again now: another job of the same shape may have stored its own since the plan.
    stored = history.find(entry.query_hash, entry.analysis_timestamp)
    if entry.history_text == "other" or (stored is not None and stored.query.query_text != plan.submitted_sql):
        log.info("query %s: the history holds this shape with other literals; this job's results stay in %s",
                 entry.query_hash, lake.uri(area.prefix))
        persisted = {"run_date": plan.run_date, "stored": [], "alerts": [], "kept_in_work_area": True}
    else:
        persisted = persist_results(lake, history, settings, area)
    failed = failed_agents(lake, area, plan)
    if failed:
        raise AgentsFailed("agent(s) without a result: " + "; ".join(
            f"{agent}: {why}" for agent, why in failed.items()) + " (the others are kept)")
    return persisted


def failed_agents(lake: Lake, area: WorkArea, plan: RunPlan) -> dict[str, str]:
    """The pending agents of the run that left no succeeded result, each with why."""
    failed = {}
    for entry in plan.queries:
        for agent in plan.pending_agents(entry.query_hash):
            data = lake.read_json(area.result(entry.query_hash, agent))
            if data is None:
                failed[agent] = "its task did not run (an upstream task failed)"
            elif data.get("status") != "succeeded":
                failed[agent] = " ".join(str(data.get("error") or "failed").split())[:300]
    return failed


def job_record(plan: RunPlan, results: Mapping[str, AgentResult], history: HistoryStore) -> AnalysisRecord | None:
    """The record a job shows: the stored one when it is of the job's own text (this job
    stored it, or the same text was analysed before), else one made of the job's own
    results, never another caller's."""
    entry = plan.queries[0]
    request = plan.request or QueryRequest(sql="")
    sql = request.sql
    stored = history.find(entry.query_hash, entry.analysis_timestamp)
    if stored is not None and stored.query.query_text == sql:
        return stored
    if not results:
        return None
    finished = [r.finished_at for r in results.values() if r.finished_at]
    normalized = entry.fingerprint
    if normalized is None:  # a plan written before the plan kept the submission's fingerprint
        from redshift_optimizer.fingerprint import fingerprint

        normalized = fingerprint(sql).text
    return AnalysisRecord(
        query_hash=entry.query_hash, analysis_timestamp=entry.analysis_timestamp, run_date=plan.run_date,
        analyzed_at=max(finished) if finished else utc_timestamp(datetime.now(timezone.utc)),
        engine=plan.engine, prompt_version=plan.prompt_version, schema_version=plan.schema_version,
        rules_version=plan.rules_version, model_id=plan.model_id,
        query=QueryInfo(query_hash=entry.query_hash, fingerprint=normalized, query_text=sql,
                        database=request.database, user=request.requested_by, rank=entry.rank),
        agents={name: results[name] for name in AGENT_NAMES if name in results}, archive_uri=None, revision=0)


def job_results(lake: Lake, run_id: str) -> tuple[RunPlan | None, dict[str, AgentResult]]:
    """(plan, results by agent) of an ad-hoc run's work area, as far as it got."""
    area = WorkArea.adhoc(run_id)
    plan = find_plan(lake, area)
    if plan is None:
        return None, {}
    query_hash = plan.queries[0].query_hash
    results = {}
    for agent in AGENT_NAMES:
        data = lake.read_json(area.result(query_hash, agent))
        if data is not None:
            results[agent] = AgentResult.model_validate(data)
    return plan, results


__all__ = [
    "ADHOC_DAG_ID",
    "ADHOC_WORK_PREFIX",
    "JOB_ID_PATTERN",
    "NOT_RUN",
    "UNCHECKED_NOTE",
    "QueryRequest",
    "RejectedSubmission",
    "adhoc_work_prefix",
    "empty_snapshot",
    "failed_agents",
    "is_job_id",
    "job_record",
    "job_results",
    "job_run_id",
    "persist_job_results",
    "plan_query",
    "prefer_schema",
    "query_window",
    "read_only_session",
    "verify_rewrite",
]
