"""The one check of a rewrite beyond its signature, for the daily run and the ad-hoc job.

:func:`check_rewrites` runs the analyzer with the :class:`RewriteCheckers` a run has: with a
proof engine (setting ``proof_conn_id``) each step is compared on generated adversarial data
(``adversarial``); with the warehouse as the verification identity each step's plan cost is
compared with the query before it, then the whole rewrite is EXPLAINed and run against the
original within the budget (``explained`` / ``equivalent``) and its cost recorded. The daily
run checks while it builds its contexts (setting ``verify_rewrites_in_warehouse``); the
ad-hoc job in its own ``verify_rewrite`` step, read-only and budgeted (settings
``adhoc_verify_rewrites``, ``adhoc_statement_timeout_seconds``, ``adhoc_max_rows``), so the
other agents do not wait on the warehouse.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.agents.query_optimizer import RewriteCheckers, check_rewrites, optimizer_fields
from redshift_optimizer.errors import ConfigurationError, LakeError, WarehouseError
from redshift_optimizer.models.agents import QUERY_OPTIMIZER
from redshift_optimizer.models.findings import AnalysisResult
from redshift_optimizer.models.lake import DataProfile, Lake, SchemaSnapshot, SlowQuery
from redshift_optimizer.pipelines.plans import analysis_settings, read_plan, read_sources, slow_by_hash
from redshift_optimizer.settings import Settings
from redshift_optimizer.warehouse import Warehouse
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)

#: How a verification note starts when the rewrite could not be checked on the warehouse.
UNCHECKED_NOTE = "not run on the warehouse: "


def verify_rewrite(lake: Lake, open_verifier: Callable[[], Warehouse] | None, settings: Settings,
                   area: WorkArea, proof_engine: Warehouse | None = None) -> dict[str, Any]:
    """The ad-hoc job's rewrite check: the query optimizer's context analysed again with the
    proof engine and the warehouse (within the settings' budget, read-only); a step the
    warehouse refutes or that costs no less is not offered. Writes the context back; returns
    the level reached.

    ``open_verifier`` opens the warehouse as the verification identity (setting
    ``verification_conn_id``: a user that can only read the queried tables), never as the
    product's profiling user; it is called only when there is a rewrite to check. When that
    connection is not defined or the warehouse is down, the rewrite is checked without it,
    with a note."""
    from redshift_optimizer.sql.parsing import SqlInputError
    from redshift_optimizer.sql_guard import guard
    from redshift_optimizer.verify import Budget

    plan = read_plan(lake, area)
    query_hash = plan.queries[0].query_hash
    if not plan.is_pending(QUERY_OPTIMIZER, query_hash):
        return {"verification": None, "note": "the query optimizer already has a stored result"}
    key = area.context(query_hash, QUERY_OPTIMIZER)
    data = lake.read_json(key)
    if data is None:
        raise LakeError(f"no query-optimizer context at {lake.uri(key)}: the build_contexts step did not run")
    ctx = AgentContext.model_validate(data)
    if not ctx.optimized_query:
        return {"verification": ctx.verification.value, "note": "no rewrite to verify"}
    snapshot, profile, slow = read_sources(lake, plan)
    stats = slow_by_hash(slow)[query_hash]
    config = analysis_settings(settings)
    schema = plan.request.schema_name if plan.request else None

    def without_warehouse(note: str) -> AnalysisResult:
        return check_rewrites(stats, snapshot, profile, config, RewriteCheckers(proof_engine=proof_engine, note=note))

    warehouse = None
    if not settings.adhoc_verify_rewrites or open_verifier is None:
        result = without_warehouse("not run on the warehouse (setting adhoc_verify_rewrites is off)")
    else:
        try:
            guard(stats.query_text)  # EXPLAINed and run on the warehouse: only what the SQL guard lets through
            warehouse = open_verifier()
        except ConfigurationError as exc:  # no verification identity: never fall back to the product's user
            result = without_warehouse(f"{UNCHECKED_NOTE}{exc}")
        except SqlInputError as exc:  # the SQL guard's refusal
            result = without_warehouse(f"{UNCHECKED_NOTE}the original is refused by the SQL guard: {exc.one_line()}")
    if warehouse is not None:
        budget = Budget(max_rows=settings.adhoc_max_rows, timeout_s=settings.adhoc_statement_timeout_seconds)
        try:
            with warehouse, read_only_session(warehouse, schema):
                result = check_rewrites(stats, snapshot, profile, config,
                                        RewriteCheckers(warehouse, proof_engine, budget))
        except WarehouseError as exc:  # the agents must not wait on a warehouse that is down
            result = without_warehouse(f"{UNCHECKED_NOTE}(connection '{settings.verification_conn_id}') "
                                       f"{exc.summary()}")
    for name, value in optimizer_fields(result).items():
        setattr(ctx, name, value)
    lake.write_json(key, ctx)
    log.info("rewrite of %s: %s (%s)", query_hash, ctx.verification.value, "; ".join(ctx.verification_notes))
    return {"verification": ctx.verification.value, "withdrawn": ctx.optimized_query is None,
            "notes": ctx.verification_notes}


class read_only_session:
    """Run the verification inside ``BEGIN READ ONLY`` ... ``ROLLBACK`` where the connection
    keeps a session (Redshift or PostgreSQL over their wire protocol), with ``schema`` first
    on the search path. The Data API runs each statement on its own: there the verifier's
    own guard (plain queries only) and the database user's grants are what keep it read-only."""

    def __init__(self, warehouse: Warehouse, schema: str | None):
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


__all__ = ["UNCHECKED_NOTE", "RewriteCheckers", "check_rewrites", "optimizer_fields", "read_only_session",
           "verify_rewrite"]
