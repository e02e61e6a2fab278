"""The ad-hoc optimization: the four agents on one submitted query, with the daily steps.

The daily steps (:mod:`redshift_optimizer.pipelines.query_optimization`) read "the day" from
the lake: that day's snapshot, profile and slow-query window. An ad-hoc run has no window
of its own, so :func:`plan_query` writes one into the run's work area (the latest window,
with the submitted query in it, carrying that window's statistics when the fingerprint ran
there) together with the snapshot to use, and :class:`QueryLake` shows them to the daily
steps under the day's keys. Everything after the plan is the daily code, unchanged:
``check_data``, ``build_contexts``, ``run_agent``, ``persist_results``.

Two additions of the ad-hoc run:

- :func:`verify_rewrite` takes the rule engine's rewrite up to ``equivalent`` on the
  warehouse when the settings allow it: what the SQL guard lets through, as the
  low-privilege verification identity (setting ``verification_conn_id``), inside a
  read-only transaction (where the connection keeps a session), cancelled from outside
  past its time budget, with a row budget (:class:`AdhocSettings`).
- the job identity: the DAG run id is the job id (:func:`job_run_id`), and the work area is
  named by it alone (:func:`adhoc_work_prefix`), so the API finds a job's plan and results
  from its id.

Pure logic plus the lake, history and warehouse adapters: no Airflow here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Mapping

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from redshift_optimizer import lake_keys
from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.errors import ConfigurationError, LakeError, WarehouseError
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import (
    AGENT_NAMES,
    QUERY_OPTIMIZER,
    AgentResult,
    AnalysisRecord,
    analysis_timestamp,
)
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.models.lake import (
    DataProfile,
    Lake,
    SchemaSnapshot,
    SlowQueries,
    SlowQuery,
    SnapshotSource,
    run_day_keys,
    utc_timestamp,
)
from redshift_optimizer.pipelines.query_optimization import (  # the daily steps, reused as they are
    WORK_PREFIX,
    _window_days,
    analysis_settings,
    engine_identity,
    result_key,
    top_queries,
)
from redshift_optimizer.settings import Settings, load_settings
from redshift_optimizer.submission import Submission

log = logging.getLogger(__name__)

ADHOC_DAG_ID = "redshift_adhoc_optimization"
ADHOC_WORK_PREFIX = f"{WORK_PREFIX}/adhoc"
#: DAG run id of a job: ``adhoc__`` and 24 hex digits (see :func:`job_run_id`).
JOB_ID_PATTERN = r"^adhoc__[0-9a-f]{24}$"
_JOB_ID = re.compile(JOB_ID_PATTERN)
#: How a verification note starts when the rewrite could not be checked on the warehouse.
UNCHECKED_NOTE = "not run on the warehouse: "


class AdhocSettings(Settings):
    """The settings of an ad-hoc run: the product's (whose ``adhoc_*`` fields are the ad-hoc
    run's own: one Variable serves both DAGs, and a key unknown to either is an error)."""


def load_adhoc_settings(stored: Mapping[str, Any] | None, overrides: Mapping[str, Any] | None) -> AdhocSettings:
    """Settings of an ad-hoc run from the stored Variable and the run's overrides (then the
    environment, then defaults); a bad value or an unknown key names the setting."""
    if stored is not None and not isinstance(stored, Mapping):
        raise ConfigurationError("the settings Variable must be a JSON object")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ConfigurationError("the run's settings param must be a JSON object")
    return load_settings({**(stored or {}), **(overrides or {})}, model=AdhocSettings)


class QueryRequest(BaseModel):
    """What was submitted: the DAG run's params."""

    sql: str
    database: str | None = None
    schema_name: str | None = Field(None, alias="schema")
    requested_by: str | None = None

    model_config = {"populate_by_name": True}


# ---------------------------------------------------------------------- job identity

def job_run_id(idempotency_token: str | None = None) -> str:
    """The DAG run id of a new job: from an idempotency token (the same token gives the same
    id, so a repeated trigger meets Airflow's 409 instead of starting a second run), else
    random."""
    seed = idempotency_token if idempotency_token is not None else uuid.uuid4().hex
    return "adhoc__" + hashlib.sha256(seed.encode()).hexdigest()[:24]


def is_job_id(value: str) -> bool:
    return bool(_JOB_ID.match(value))


def adhoc_work_prefix(run_id: str) -> str:
    """The work area of one ad-hoc run (named by the run id alone, so the API finds it)."""
    if not is_job_id(run_id):
        # Runs started by hand in the Airflow UI have other ids: keep them apart and safe.
        run_id = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id)[:120]
    return f"{ADHOC_WORK_PREFIX}/{run_id}"


# -------------------------------------------------------------------------- the lake

class QueryLake:
    """The lake as the daily steps see it during an ad-hoc run: the run day's snapshot,
    profile and slow-query window are the ones :func:`plan_query` chose (recorded in the
    plan's ``sources``); every other read and every write goes to the lake unchanged."""

    def __init__(self, lake: Lake, prefix: str):
        self.lake = lake
        plan = lake.read_json(f"{prefix}/plan.json")
        if plan is None:
            raise LakeError(f"no plan at {lake.uri(prefix + '/plan.json')}: the plan step did not run")
        keys = run_day_keys(date.fromisoformat(plan["run_date"]))
        sources = plan["sources"]
        self.redirects = {keys["schema_dated"]: sources["snapshot"], keys["slow_queries"]: sources["slow_queries"]}
        # No profile: the day's key must read as missing, not as another day's object.
        self.redirects[keys["profile"]] = sources.get("profile") or f"{prefix}/no-profile.json"

    def read_json(self, key: str) -> dict[str, Any] | None:
        return self.lake.read_json(self.redirects.get(key, key))

    def read_model(self, key: str, model: type) -> Any:
        data = self.read_json(key)
        return None if data is None else model.model_validate(data)

    def __getattr__(self, name: str) -> Any:  # write_json, uri, list_keys, bucket, prefix ...
        return getattr(self.lake, name)


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
    and window; writes ``plan.json`` (the daily plan's shape, plus ``request`` and
    ``sources``) and ``review.json``, and returns what ``plan_day`` returns."""
    from redshift_optimizer.analysis import review_schema

    # The one check of a submission (the API ran the same one with its own limits).
    submission = Submission.check(request.sql, settings.submission_limits())
    sql, fp = submission.sql, submission.fingerprint
    prefix = adhoc_work_prefix(run_id)

    snapshot = lake.read_model(lake_keys.schema_latest(), SchemaSnapshot) or empty_snapshot(request.database)
    snapshot = prefer_schema(snapshot, sql, request.schema_name, submission.statements)
    lake.write_json(f"{prefix}/schema.json", snapshot)
    profile_key = lake.latest_key(lake_keys.PROFILE_PREFIX, ".json")
    profile = lake.read_model(profile_key, DataProfile) if profile_key else None
    window_key = lake.latest_key(lake_keys.SLOW_QUERIES_PREFIX, f"/{lake_keys.SLOW_QUERIES_NAME}")
    window = lake.read_model(window_key, SlowQueries) if window_key else None
    slow, rank = query_window(window, sql, fp.query_hash, fp.text, request, day)
    lake.write_json(f"{prefix}/slow_queries.json", slow)

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
    lake.write_json(f"{prefix}/review.json", review)
    plan = {
        "run_date": day.isoformat(), "run_id": run_id, "engine": engine, "prompt_version": prompt_version,
        "model_id": settings.bedrock_model_id if engine == "bedrock" else None,
        "schema_version": snapshot.schema_version, "rules_version": review.rules_version,
        "queries": [{"query_hash": fp.query_hash, "rank": rank, "analysis_timestamp": timestamp,
                     "already_done": sorted(done), "history_text": history_text}],
        "pending": pending, "window_days": _window_days(slow),
        "request": request.model_dump(by_alias=True),
        "sources": {"snapshot": f"{prefix}/schema.json", "profile": profile_key,
                    "slow_queries": f"{prefix}/slow_queries.json", "window": window_key},
    }
    lake.write_json(f"{prefix}/plan.json", plan)
    log.info("ad-hoc %s: query %s, %d agent run(s) pending with %s / %s (snapshot %s, window %s)",
             run_id, fp.query_hash, sum(len(v) for v in pending.values()), engine, prompt_version,
             snapshot.schema_version[:12], window_key or "none")
    return {"work_prefix": prefix, "run_date": day.isoformat(), "query_hash": fp.query_hash, **pending}


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


# ------------------------------------------------------------------- verification

def verify_rewrite(lake: Lake, open_verifier: Callable[[], Any] | None, settings: AdhocSettings,
                   prefix: str) -> dict[str, Any]:
    """Take the query optimizer's rewrite (in its context) up to ``equivalent`` on the
    warehouse, within the settings' budget and read-only; a rewrite the warehouse refutes is
    withdrawn. Writes the context back; returns the level reached.

    ``open_verifier`` opens the warehouse as the verification identity (setting
    ``verification_conn_id``: a user that can only read the queried tables), never as the
    product's profiling user; it is called only when there is a rewrite to check. When that
    connection is not defined, the rewrite stays unverified on the warehouse, with a note."""
    from redshift_optimizer.verify import Budget, verify

    plan = lake.read_json(f"{prefix}/plan.json")
    query_hash = plan["queries"][0]["query_hash"]
    if query_hash not in plan["pending"][QUERY_OPTIMIZER]:
        return {"verification": None, "note": "the query optimizer already has a stored result"}
    key = f"{prefix}/contexts/{query_hash}/{QUERY_OPTIMIZER}.json"
    data = lake.read_json(key)
    if data is None:
        raise LakeError(f"no query-optimizer context at {lake.uri(key)}: the build_contexts step did not run")
    ctx = AgentContext.model_validate(data)
    if not ctx.optimized_query:
        return {"verification": ctx.verification.value, "note": "no rewrite to verify"}
    if not settings.adhoc_verify_rewrites or open_verifier is None:
        ctx.verification_notes.append("not run on the warehouse (setting adhoc_verify_rewrites is off)")
        lake.write_json(key, ctx)
        return {"verification": ctx.verification.value, "note": "verification on the warehouse is off"}
    snapshot = lake.read_model(f"{prefix}/schema.json", SchemaSnapshot)
    budget = Budget(max_rows=settings.adhoc_max_rows, timeout_s=settings.adhoc_statement_timeout_seconds)
    schema = (plan.get("request") or {}).get("schema")
    try:
        warehouse = open_verifier()
    except ConfigurationError as exc:  # no verification identity: never fall back to the product's user
        note = f"{UNCHECKED_NOTE}{exc}"
        ctx.verification_notes.append(note)
        lake.write_json(key, ctx)
        return {"verification": ctx.verification.value, "note": note}
    try:
        with warehouse, read_only_session(warehouse, schema):
            report = verify(ctx.query.query_text, ctx.optimized_query, warehouse, budget, snapshot=snapshot)
            cost = None if report.failed else rewrite_cost(ctx, report, warehouse, snapshot)
    except WarehouseError as exc:  # the agents must not wait on a warehouse that is down
        note = f"{UNCHECKED_NOTE}(connection '{settings.verification_conn_id}') {exc.summary()}"
        ctx.verification_notes.append(note)
        lake.write_json(key, ctx)
        return {"verification": ctx.verification.value, "note": note}
    from redshift_optimizer.plan_cost import dearer

    if not report.failed and cost is not None and dearer(cost):
        report.failed = True
        report.notes.append(f"the {cost.model} says the rewrite costs no less ({cost.original:g} -> {cost.rewrite:g})")
    if report.failed:
        ctx.verification_notes += report.notes + ["rewrite withdrawn: it failed verification on the warehouse"]
        ctx.optimized_query, ctx.rewrites, ctx.verification = None, [], Verification.NONE
        ctx.rewrite_cost = None
    else:
        ctx.verification_notes += report.notes
        if report.level.rank > ctx.verification.rank:
            ctx.verification = report.level
    lake.write_json(key, ctx)
    log.info("rewrite of %s: %s (%s)", query_hash, ctx.verification.value, "; ".join(report.notes))
    return {"verification": ctx.verification.value, "withdrawn": report.failed, "notes": report.notes}


def rewrite_cost(ctx: AgentContext, report: Any, warehouse: Any, snapshot: Any) -> Any:
    """The rewrite's plan cost against the original's on the warehouse, with the times of the
    verification run when both ran (redshift_optimizer.plan_cost)."""
    from redshift_optimizer.plan_cost import judge
    from redshift_optimizer.rules.parsing import SqlInputError
    from redshift_optimizer.sql_guard import guard

    ran = report.level is Verification.EQUIVALENT
    try:  # EXPLAINed on the warehouse: only what the SQL guard lets through
        original = guard(ctx.query.query_text)
        rewrite = guard(ctx.optimized_query)
    except SqlInputError:
        return None
    ctx.rewrite_cost = judge([r.name for r in ctx.rewrites], original, rewrite, warehouse, snapshot,
                             report.original_seconds if ran else None, report.rewrite_seconds if ran else None)
    return ctx.rewrite_cost


class read_only_session:
    """Run the verification inside ``BEGIN READ ONLY`` ... ``ROLLBACK`` where the connection
    keeps a session (Redshift or PostgreSQL over their wire protocol), with ``schema`` first
    on the search path. The Data API runs each statement on its own: there the verifier's
    own guard (plain queries only) and the database user's grants are what keep it read-only."""

    def __init__(self, warehouse: Any, schema: str | None):
        from redshift_optimizer.warehouse.connections import DbApiWarehouse

        self.warehouse = warehouse
        self.schema = schema
        self.session = isinstance(warehouse, DbApiWarehouse)

    def __enter__(self) -> "read_only_session":
        if self.session:
            self.warehouse.run("verification_begin_read_only")
            if self.schema:
                from redshift_optimizer.resources import quote_identifier

                self.warehouse.run("verification_search_path", {"schema": quote_identifier(self.schema)})
        return self

    def __exit__(self, *exc: object) -> None:
        if self.session:
            try:
                self.warehouse.run("verification_rollback")
            except WarehouseError as error:  # the connection is gone: nothing was written
                log.warning("rollback after verification failed: %s", error)


# ---------------------------------------------------------------------- job results

def persist_job_results(lake: Lake, history: HistoryStore, settings: Settings, prefix: str) -> dict[str, Any]:
    """The daily ``persist_results``, except when the history holds this shape for another
    text (another caller's literals): then the job's results stay in its work area (the job
    page shows them) and that record is left as it is."""
    from redshift_optimizer.pipelines.query_optimization import persist_results

    plan = lake.read_json(f"{prefix}/plan.json")
    if plan is None:
        raise LakeError(f"no plan at {lake.uri(prefix + '/plan.json')}: the plan step did not run")
    entry = plan["queries"][0]
    # Checked again now: another job of the same shape may have stored its own since the plan.
    stored = history.find(entry["query_hash"], entry["analysis_timestamp"])
    if entry.get("history_text") == "other" or (
            stored is not None and stored.query.query_text != (plan.get("request") or {}).get("sql")):
        log.info("query %s: the history holds this shape with other literals; this job's results stay in %s",
                 entry["query_hash"], lake.uri(prefix))
        return {"run_date": plan["run_date"], "stored": [], "alerts": [], "kept_in_work_area": True}
    return persist_results(QueryLake(lake, prefix), history, settings, prefix)


def failed_agents(lake: Lake, prefix: str) -> dict[str, str]:
    """The pending agents of the run that left no succeeded result, each with why."""
    plan = lake.read_json(f"{prefix}/plan.json") or {"queries": [], "pending": {}}
    failed = {}
    for entry in plan["queries"]:
        for agent in AGENT_NAMES:
            if entry["query_hash"] not in plan["pending"].get(agent, []):
                continue
            data = lake.read_json(result_key(prefix, entry["query_hash"], agent))
            if data is None:
                failed[agent] = "its task did not run (an upstream task failed)"
            elif data.get("status") != "succeeded":
                failed[agent] = " ".join(str(data.get("error") or "failed").split())[:300]
    return failed


def job_record(plan: Mapping[str, Any], results: Mapping[str, AgentResult], history: HistoryStore
               ) -> AnalysisRecord | None:
    """The record a job shows: the stored one when it is of the job's own text (this job
    stored it, or the same text was analysed before), else one made of the job's own
    results, never another caller's."""
    from redshift_optimizer.models.agents import QueryInfo

    entry = plan["queries"][0]
    request = plan.get("request") or {}
    sql = request.get("sql") or ""
    stored = history.find(entry["query_hash"], entry["analysis_timestamp"])
    if stored is not None and stored.query.query_text == sql:
        return stored
    if not results:
        return None
    finished = [r.finished_at for r in results.values() if r.finished_at]
    return AnalysisRecord(
        query_hash=entry["query_hash"], analysis_timestamp=entry["analysis_timestamp"], run_date=plan["run_date"],
        analyzed_at=max(finished) if finished else utc_timestamp(datetime.now(timezone.utc)),
        engine=plan["engine"], prompt_version=plan["prompt_version"], schema_version=plan["schema_version"],
        rules_version=plan.get("rules_version"), model_id=plan.get("model_id"),
        query=QueryInfo(query_hash=entry["query_hash"], fingerprint=fingerprint(sql).text, query_text=sql,
                        database=request.get("database"), user=request.get("requested_by"), rank=entry.get("rank", 0)),
        agents={name: results[name] for name in AGENT_NAMES if name in results}, archive_uri=None, revision=0)


def job_results(lake: Lake, run_id: str) -> tuple[dict[str, Any] | None, dict[str, AgentResult]]:
    """(plan, results by agent) of an ad-hoc run's work area, as far as it got."""
    prefix = adhoc_work_prefix(run_id)
    plan = lake.read_json(f"{prefix}/plan.json")
    if plan is None:
        return None, {}
    query_hash = plan["queries"][0]["query_hash"]
    results = {}
    for agent in AGENT_NAMES:
        data = lake.read_json(result_key(prefix, query_hash, agent))
        if data is not None:
            results[agent] = AgentResult.model_validate(data)
    return plan, results


__all__ = [
    "ADHOC_DAG_ID",
    "ADHOC_WORK_PREFIX",
    "JOB_ID_PATTERN",
    "UNCHECKED_NOTE",
    "AdhocSettings",
    "QueryLake",
    "QueryRequest",
    "adhoc_work_prefix",
    "is_job_id",
    "failed_agents",
    "job_record",
    "job_results",
    "job_run_id",
    "load_adhoc_settings",
    "persist_job_results",
    "plan_query",
    "prefer_schema",
    "query_window",
    "read_only_session",
    "verify_rewrite",
]
