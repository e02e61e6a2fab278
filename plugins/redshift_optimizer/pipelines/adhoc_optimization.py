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
from pydantic import BaseModel, Field, ValidationError
from sqlglot import exp

from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.errors import ConfigurationError, LakeError, WarehouseError
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.agents import AGENT_NAMES, QUERY_OPTIMIZER, AgentResult, analysis_timestamp
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.models.lake import (
    DataProfile,
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
from redshift_optimizer.settings import Settings

log = logging.getLogger(__name__)

ADHOC_DAG_ID = "redshift_adhoc_optimization"
ADHOC_WORK_PREFIX = f"{WORK_PREFIX}/adhoc"
#: DAG run id of a job: ``adhoc__`` and 24 hex digits (see :func:`job_run_id`).
JOB_ID_PATTERN = r"^adhoc__[0-9a-f]{24}$"
_JOB_ID = re.compile(JOB_ID_PATTERN)
_SCHEMA_KEY = "metadata/schema/schema.json"
_PROFILES = "metadata/data_profile/profile-"
_WINDOWS = "metadata/query_history/"


class AdhocSettings(Settings):
    """The product's settings plus the ad-hoc run's own (same sources and prefix)."""

    adhoc_verify_rewrites: bool = Field(
        True, description="run the rule engine's rewrite against the original on the warehouse (read-only)")
    adhoc_statement_timeout_seconds: float = Field(
        30.0, gt=0, le=3600, description="statement timeout of each verification query")
    adhoc_max_rows: int = Field(
        10_000, ge=1, le=5_000_000, description="row budget: results larger than this are not compared")


def load_adhoc_settings(stored: Mapping[str, Any] | None, overrides: Mapping[str, Any] | None) -> AdhocSettings:
    """Settings of an ad-hoc run from the stored Variable and the run's overrides (then the
    environment, then defaults); a bad value names the setting."""
    if stored is not None and not isinstance(stored, Mapping):
        raise ConfigurationError("the settings Variable must be a JSON object")
    clean = {k: v for k, v in {**(stored or {}), **(overrides or {})}.items() if v is not None}
    try:
        return AdhocSettings(**clean)
    except ValidationError as exc:
        raise ConfigurationError("; ".join(
            f"setting {'.'.join(map(str, e['loc']))}: {e['msg']} (got {e.get('input')!r})" for e in exc.errors()
        )) from None


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

    def __init__(self, lake: Any, prefix: str):
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


def latest_key(lake: Any, prefix: str, suffix: str) -> str | None:
    """The newest key under ``prefix`` ending with ``suffix`` (keys carry the date)."""
    keys = [k for k in lake.list_keys(prefix) if k.endswith(suffix)]
    return max(keys) if keys else None


def prefer_schema(snapshot: SchemaSnapshot, sql: str, schema: str | None) -> SchemaSnapshot:
    """The snapshot with ``schema`` first on the search path: an unqualified table name that
    exists in ``schema`` means that table, so same-named tables of other schemas that the
    query does not name qualified are left out."""
    if not schema:
        return snapshot
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

def plan_query(lake: Any, history: HistoryStore, settings: Settings, request: QueryRequest, day: date,
               run_id: str) -> dict[str, Any]:
    """The ad-hoc counterpart of ``plan_day``: one fingerprint, the latest snapshot, profile
    and window; writes ``plan.json`` (the daily plan's shape, plus ``request`` and
    ``sources``) and ``review.json``, and returns what ``plan_day`` returns."""
    from redshift_optimizer.analysis import check_input, review_schema
    from redshift_optimizer.rules.parsing import parse_statements

    sql = check_input(request.sql)
    parse_statements(sql)  # SqlInputError with line and column; the API checked it already
    fp = fingerprint(sql)
    prefix = adhoc_work_prefix(run_id)

    snapshot = lake.read_model(_SCHEMA_KEY, SchemaSnapshot) or empty_snapshot(request.database)
    snapshot = prefer_schema(snapshot, sql, request.schema_name)
    lake.write_json(f"{prefix}/schema.json", snapshot)
    profile_key = latest_key(lake, _PROFILES, ".json")
    profile = lake.read_model(profile_key, DataProfile) if profile_key else None
    window_key = latest_key(lake, _WINDOWS, "/slow_queries.json")
    window = lake.read_model(window_key, SlowQueries) if window_key else None
    slow, rank = query_window(window, sql, fp.query_hash, fp.text, request, day)
    lake.write_json(f"{prefix}/slow_queries.json", slow)

    engine, prompt_version = engine_identity(settings)
    timestamp = analysis_timestamp(day.isoformat(), engine, prompt_version, snapshot.schema_version)
    existing = history.find(fp.query_hash, timestamp)
    done = {name for name, result in (existing.agents.items() if existing else []) if result.succeeded}
    pending = {agent: ([] if agent in done else [fp.query_hash]) for agent in AGENT_NAMES}
    review = review_schema(snapshot, profile, slow, settings=analysis_settings(settings))
    lake.write_json(f"{prefix}/review.json", review)
    plan = {
        "run_date": day.isoformat(), "run_id": run_id, "engine": engine, "prompt_version": prompt_version,
        "model_id": settings.bedrock_model_id if engine == "bedrock" else None,
        "schema_version": snapshot.schema_version, "rules_version": review.rules_version,
        "queries": [{"query_hash": fp.query_hash, "rank": rank, "analysis_timestamp": timestamp,
                     "already_done": sorted(done)}],
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

def verify_rewrite(lake: Any, open_verifier: Callable[[], Any] | None, settings: AdhocSettings,
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
        note = f"not run on the warehouse: {exc}"
        ctx.verification_notes.append(note)
        lake.write_json(key, ctx)
        return {"verification": ctx.verification.value, "note": note}
    try:
        with warehouse, read_only_session(warehouse, schema):
            report = verify(ctx.query.query_text, ctx.optimized_query, warehouse, budget, snapshot=snapshot)
    except WarehouseError as exc:  # the agents must not wait on a warehouse that is down
        note = f"not run on the warehouse (connection '{settings.verification_conn_id}'): {exc.summary()}"
        ctx.verification_notes.append(note)
        lake.write_json(key, ctx)
        return {"verification": ctx.verification.value, "note": note}
    if report.failed:
        ctx.verification_notes += report.notes + ["rewrite withdrawn: it failed verification on the warehouse"]
        ctx.optimized_query, ctx.rewrites, ctx.verification = None, [], Verification.NONE
    else:
        ctx.verification_notes += report.notes
        if report.level.rank > ctx.verification.rank:
            ctx.verification = report.level
    lake.write_json(key, ctx)
    log.info("rewrite of %s: %s (%s)", query_hash, ctx.verification.value, "; ".join(report.notes))
    return {"verification": ctx.verification.value, "withdrawn": report.failed, "notes": report.notes}


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

def job_results(lake: Any, run_id: str) -> tuple[dict[str, Any] | None, dict[str, AgentResult]]:
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
    "AdhocSettings",
    "QueryLake",
    "QueryRequest",
    "adhoc_work_prefix",
    "is_job_id",
    "job_results",
    "job_run_id",
    "load_adhoc_settings",
    "plan_query",
    "prefer_schema",
    "query_window",
    "read_only_session",
    "verify_rewrite",
]
