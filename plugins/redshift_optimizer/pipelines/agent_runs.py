"""One agent on one fingerprint with the run's engine; its result (or its failure) goes to
the work area's ``results/<hash>/<agent>.json``."""

from __future__ import annotations

import logging
from typing import Any, Callable

from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.agents.engines import AgentEngine
from redshift_optimizer.errors import LakeError
from redshift_optimizer.models.agents import DATA_VALIDATION, AgentResult, AgentStatus
from redshift_optimizer.models.runs import RunPlan
from redshift_optimizer.pipelines.plans import read_plan
from redshift_optimizer.models.lake import Lake
from redshift_optimizer.work_area import WorkArea

log = logging.getLogger(__name__)


class AgentNotPending(Exception):
    """This agent already has a stored result for this fingerprint, engine and day."""


def run_agent(lake: Lake, area: WorkArea, agent: str, query_hash: str,
              engine_for: Callable[[RunPlan], AgentEngine]) -> dict[str, Any]:
    """Run one agent on one fingerprint with the engine the plan recorded (settings changed
    mid-run do not mix engines). An exception is recorded as a failed result first, then
    raised (the task fails and retries)."""
    plan = read_plan(lake, area)
    if not plan.is_pending(agent, query_hash):
        raise AgentNotPending(f"{agent} already analysed {query_hash} on {plan.run_date} "
                              f"({plan.engine}, {plan.prompt_version})")
    context_data = lake.read_json(area.context(query_hash, agent))
    if context_data is None:
        raise LakeError(f"no context for {agent} on {query_hash} under {lake.uri(area.prefix)}")
    ctx = AgentContext.model_validate(context_data)
    key = area.result(query_hash, agent)
    if agent == DATA_VALIDATION and ctx.parse_error and not ctx.validation_checks:
        result = AgentResult(agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED,
                             engine=plan.engine, prompt_version=plan.prompt_version, error=ctx.parse_error)
        lake.write_json(key, result)
        return {"status": result.status.value, "severity": None}
    try:
        result = engine_for(plan).run(ctx)
    except Exception as exc:
        failed = AgentResult(agent_name=agent, query_hash=query_hash, status=AgentStatus.FAILED,
                             engine=plan.engine, model_id=plan.model_id,
                             prompt_version=plan.prompt_version, error=f"{type(exc).__name__}: {exc}")
        lake.write_json(key, failed)
        raise
    lake.write_json(key, result)
    log.info("%s on %s: %s, severity %s, %d finding(s), %d token(s), verification %s",
             agent, query_hash, result.status.value, result.severity.value if result.severity else "-",
             len(result.findings), result.token_usage.total_tokens, result.verification.value)
    return {"status": result.status.value, "severity": result.severity.value if result.severity else None}


__all__ = ["AgentNotPending", "run_agent"]
