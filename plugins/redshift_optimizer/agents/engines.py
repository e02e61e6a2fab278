"""The two engines behind one interface: :class:`RulesEngine` (offline, the default) and
:class:`BedrockEngine` (Claude through Converse). Both take an :class:`AgentContext` and
return the same :class:`AgentResult` envelope.

The Bedrock engine offers the model one forced tool whose schema is the agent's output
model, sends the context redacted (:meth:`AgentContext.for_model`), drops statements that
cite nothing in the context, and verifies a rewrite with the analyzer's levels. An answer
that fails validation is sent back once with the error; a second failure is recorded as a
failed result, never as a recommendation.
"""

from __future__ import annotations

import copy
import json
import logging
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any, Callable

import sqlglot
from pydantic import ValidationError
from sqlglot import exp

from redshift_optimizer.adapters.bedrock import ConverseClient
from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.agents.prompts import PromptSet
from redshift_optimizer.agents.registry import agent as agent_unit
from redshift_optimizer.agents.rules_engine import action_items
from redshift_optimizer.fingerprint import redact_literals
from redshift_optimizer.models.agents import (
    DATA_VALIDATION,
    QUERY_OPTIMIZER,
    AgentResult,
    AgentStatus,
    CostSaverOutput,
    DataValidationOutput,
    QueryOptimizerOutput,
    Savings,
    TokenUsage,
    drop_uncited,
)
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.models.lake import ColumnSnapshot, SchemaSnapshot, SnapshotSource, TableSnapshot, utc_timestamp

log = logging.getLogger(__name__)

def tool_name(agent_name: str) -> str:
    """The forced tool's name of an agent (Converse allows [a-zA-Z0-9_-]{1,64})."""
    return agent_unit(agent_name).tool_name


def tool_input_schema(agent_name: str) -> dict[str, Any]:
    """The JSON schema of an agent's forced tool: its output model without the fields that
    come from the context, plus ``confidence``; ``$ref``s inlined and titles dropped (tokens)."""
    unit = agent_unit(agent_name)
    schema = unit.output.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            return {k: inline(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    schema = inline(schema)
    for name in unit.context_fields:
        schema["properties"].pop(name, None)
        if name in schema.get("required", []):
            schema["required"].remove(name)
    if "confidence_score" not in schema["properties"]:  # the validation agent has confidence_score already
        schema["properties"]["confidence"] = {
            "type": "number", "minimum": 0, "maximum": 1,
            "description": "how sure you are, given the evidence in the context",
        }
    schema["required"] = sorted(set(schema.get("required", [])) | set(schema["properties"]) - {"optimized_query"})
    return schema


def _now() -> str:
    return utc_timestamp(datetime.now(timezone.utc))


class AgentEngine(ABC):
    """Runs one agent on one context."""

    name: str

    @abstractmethod
    def run(self, ctx: AgentContext) -> AgentResult:
        """The agent's result; a failure is a result with status failed, not an exception,
        unless the engine itself is broken (unreachable model, bad settings)."""


def _envelope(ctx: AgentContext, output: Any, confidence: float, **fields: Any) -> AgentResult:
    findings = list(ctx.findings)
    return AgentResult(
        agent_name=ctx.agent_name,
        query_hash=ctx.query_hash,
        severity=max((f.severity for f in findings), default=None),
        confidence=max(0.0, min(1.0, round(confidence, 3))),
        action_items=action_items(ctx.agent_name, output),
        findings=findings,
        output=output.model_dump(mode="json"),
        **fields,
    )


class RulesEngine(AgentEngine):
    """The analyzer's findings turned into each agent's output (no model, no network)."""

    name = "rules"

    def __init__(self, prompt_version: str):
        self.prompt_version = prompt_version

    def run(self, ctx: AgentContext) -> AgentResult:
        started = _now()
        output, confidence = agent_unit(ctx.agent_name).rules(ctx)
        verification = ctx.verification if getattr(output, "optimized_query", None) else Verification.NONE
        return _envelope(
            ctx, output, confidence, engine="rules", prompt_version=self.prompt_version,
            verification=verification,
            verification_notes=list(ctx.verification_notes) if ctx.agent_name == QUERY_OPTIMIZER else [],
            rewrite_cost=ctx.rewrite_cost if verification is not Verification.NONE else None,
            started_at=started, finished_at=_now(),
        )


# ---------------------------------------------------------------- rewrite verification

def context_snapshot(ctx: AgentContext) -> SchemaSnapshot:
    """The touched tables of the context as a snapshot (what signature checks need)."""
    return SchemaSnapshot(
        extract_timestamp="", source=SnapshotSource(engine="redshift", database=""),
        schema_version=ctx.schema_version,
        tables=[TableSnapshot(table_name=t["table_name"],
                              columns=[ColumnSnapshot(name=c["name"], type=c["type"]) for c in t["columns"]])
                for t in ctx.tables],
    )


def verify_model_rewrite(
    original_sql: str, rewrite_sql: str, snapshot: SchemaSnapshot | None, warehouse: Any = None, budget: Any = None,
) -> tuple[Verification, list[str], str | None]:
    """(level reached, notes, error) for a model's rewrite, with the analyzer's levels:
    parsed, signature (same output columns as the original), then, when the rewrite carries
    no redacted placeholder and a warehouse is given, explained / equivalent on it."""
    from redshift_optimizer.sql.parsing import DIALECT

    try:
        statements = [s for s in sqlglot.parse(rewrite_sql, read=DIALECT) if s is not None]
    except Exception as exc:  # noqa: BLE001 - sqlglot's parse errors
        return Verification.NONE, [], f"optimized_query does not parse as Redshift SQL: {str(exc)[:300]}"
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        return Verification.NONE, [], "optimized_query must be exactly one query (SELECT, WITH or a set operation)"
    level, notes = Verification.PARSED, []
    if snapshot is not None:
        from redshift_optimizer.rewrite.signature import signature

        try:
            original_tree = sqlglot.parse_one(redact_literals(original_sql), read=DIALECT)
        except Exception:  # noqa: BLE001
            original_tree = None
        before = signature(original_tree, snapshot) if original_tree is not None else None
        after = signature(statements[0], snapshot)
        if before is not None and after is not None:
            if [n.lower() for n, _ in before] != [n.lower() for n, _ in after] or before != after:
                return level, notes, (f"optimized_query returns different columns than the original: "
                                      f"{before} vs {after}")
            level = Verification.SIGNATURE
        else:
            notes.append("output signature not derivable from the touched tables; checked by parsing only")
    if warehouse is not None:
        if any(isinstance(n, exp.Placeholder) for n in statements[0].walk()):
            notes.append("the rewrite keeps redacted literals (?): not run on the warehouse")
        else:
            from redshift_optimizer.verify import verify

            report = verify(original_sql, rewrite_sql, warehouse, budget, snapshot=snapshot)
            notes += report.notes
            if report.failed:
                return level, notes, "optimized_query failed verification on the warehouse: " + "; ".join(report.notes)
            if report.level.rank > level.rank:
                level = report.level
    return level, notes, None


# ------------------------------------------------------------------------ Bedrock engine

class InvalidAnswer(Exception):
    """A model answer that does not satisfy the tool's contract."""


class BedrockEngine(AgentEngine):
    """Claude through Bedrock Converse, one forced tool per agent."""

    name = "bedrock"

    def __init__(
        self,
        client: ConverseClient,
        prompts: PromptSet,
        *,
        max_tokens: int = 1200,
        temperature: float = 0.0,
        input_price_per_1k: float = 0.003,
        output_price_per_1k: float = 0.015,
        warehouse: Any = None,
        budget: Any = None,
        on_request: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.client = client
        self.prompts = prompts
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.input_price = input_price_per_1k
        self.output_price = output_price_per_1k
        self.warehouse = warehouse
        self.budget = budget
        self.on_request = on_request

    def messages(self, ctx: AgentContext) -> list[dict[str, Any]]:
        """The first user message: the redacted context as compact JSON."""
        context = json.dumps(ctx.for_model(), separators=(",", ":"), default=str)
        return [{"role": "user", "content": [{"text": f"Context:\n{context}"}]}]

    def run(self, ctx: AgentContext) -> AgentResult:
        started = _now()
        agent = ctx.agent_name
        if agent == DATA_VALIDATION and not ctx.validation_checks:
            # no table with manifests or a previous profile: nothing to interpret, no call
            output, confidence = agent_unit(agent).rules(ctx)
            return _envelope(ctx, output, confidence, engine="bedrock", model_id=None,
                             prompt_version=self.prompts.version, started_at=started, finished_at=_now())
        name = tool_name(agent)
        schema = tool_input_schema(agent)
        messages = self.messages(ctx)
        usage = TokenUsage()
        error: str | None = None
        for attempt in (1, 2):
            if self.on_request is not None:
                self.on_request({"messages": messages})
            reply = self.client.converse(
                self.prompts.prompt(agent), messages, name, agent_unit(agent).tool_description, schema,
                self.max_tokens, self.temperature,
            )
            usage = usage.add(TokenUsage(input_tokens=reply.input_tokens, output_tokens=reply.output_tokens, calls=1))
            try:
                output, confidence, level, notes, dropped = self._accept(ctx, reply)
            except InvalidAnswer as exc:
                error = str(exc)
                log.warning("%s on %s: invalid answer (attempt %d): %s", agent, ctx.query_hash, attempt, error)
                messages = messages + [reply.message or {"role": "assistant", "content": [{"text": reply.text or "-"}]},
                                       self._correction(reply, error)]
                continue
            return _envelope(
                ctx, output, confidence, engine="bedrock", model_id=self.client.model_id,
                prompt_version=self.prompts.version, verification=level, verification_notes=notes,
                token_usage=usage, analysis_cost_usd=self._cost(usage), dropped_claims=dropped,
                attempts=attempt, started_at=started, finished_at=_now(),
            )
        return AgentResult(
            agent_name=agent, query_hash=ctx.query_hash, status=AgentStatus.FAILED,
            findings=list(ctx.findings), engine="bedrock", model_id=self.client.model_id,
            prompt_version=self.prompts.version, token_usage=usage, analysis_cost_usd=self._cost(usage),
            attempts=2, error=f"the model's answer failed validation twice: {error}",
            started_at=started, finished_at=_now(),
        )

    def _cost(self, usage: TokenUsage) -> float:
        return round(usage.input_tokens / 1000 * self.input_price + usage.output_tokens / 1000 * self.output_price, 6)

    @staticmethod
    def _correction(reply: Any, error: str) -> dict[str, Any]:
        text = f"Your answer was rejected: {error}. Call the tool again with a corrected answer."
        if reply.tool_use_id:
            return {"role": "user", "content": [{"toolResult": {
                "toolUseId": reply.tool_use_id, "content": [{"text": text}], "status": "error"}}]}
        return {"role": "user", "content": [{"text": text}]}

    def _accept(self, ctx: AgentContext, reply: Any) -> tuple[Any, float, Verification, list[str], int]:
        agent = ctx.agent_name
        if reply.tool_input is None:
            raise InvalidAnswer(f"the answer did not call the tool {tool_name(agent)} (stop reason {reply.stop_reason})")
        data = dict(reply.tool_input)
        confidence = data.pop("confidence", None)
        data.pop("validation_checks", None)  # measurements come from the warehouse, never from the model
        try:
            output = agent_unit(agent).output.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:8])
            raise InvalidAnswer(f"the tool input does not match its schema: {problems}") from None
        if isinstance(output, DataValidationOutput):
            output.validation_checks = list(ctx.validation_checks)
            confidence = output.confidence_score
        if confidence is None or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
            raise InvalidAnswer("confidence must be a number between 0 and 1")
        output, dropped = drop_uncited(output, ctx.citations())
        level, notes = Verification.NONE, []
        if isinstance(output, QueryOptimizerOutput) and output.optimized_query:
            level, notes, problem = verify_model_rewrite(
                ctx.query.query_text, output.optimized_query, context_snapshot(ctx) if ctx.tables else None,
                self.warehouse, self.budget,
            )
            if problem:
                raise InvalidAnswer(problem)
            notes.append("literals were redacted before the model saw the query: the ? placeholders stand for them")
        if isinstance(output, CostSaverOutput):
            output.estimated_savings = Savings(
                seconds_per_day=round(sum(a.seconds_per_day or 0 for a in output.cost_reduction_actions), 1),
                money_per_day=round(sum(a.money_per_day or 0 for a in output.cost_reduction_actions)
                                    + sum((s.money_per_month or 0) / 30 for s in output.storage_optimizations), 2),
                basis="sum of the cited actions' estimates",
            )
        return output, float(confidence), level, notes, dropped


__all__ = [
    "AgentEngine",
    "BedrockEngine",
    "RulesEngine",
    "context_snapshot",
    "tool_input_schema",
    "tool_name",
    "verify_model_rewrite",
]
