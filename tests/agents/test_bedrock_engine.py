"""The Bedrock engine against botocore's Stubber: the real bedrock-runtime client validates
every request and response against the Converse API model; nothing leaves the process."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from redshift_optimizer.adapters.bedrock import ConverseClient, ModelError
from redshift_optimizer.agents.context import AgentContext, query_metrics, table_metadata, table_metrics, touched_tables
from redshift_optimizer.agents.engines import BedrockEngine, tool_name
from redshift_optimizer.agents.prompts import load_project_prompts
from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.agents import COST_SAVER, DATA_VALIDATION, QUERY_OPTIMIZER, QueryInfo, ValidationCheck
from redshift_optimizer.models.lake import SchemaSnapshot, SlowQuery

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = SchemaSnapshot.model_validate(json.loads((ROOT / "tests/analysis/snapshot.json").read_text()))
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
# Distinctive literals: none of them may reach the model.
SQL = """SELECT *
FROM public.sales s, public.customers c
WHERE TRUNC(s.sale_date) = '2026-03-14'
  AND c.name LIKE '%ACME-SECRET-CORP%'
  AND s.amount > 918273.25
  AND s.customer_id NOT IN (SELECT customer_id FROM public.orders WHERE order_code = 'ZX-99817')"""
LITERALS = ("2026-03-14", "ACME-SECRET-CORP", "918273.25", "ZX-99817")


def context(agent: str = QUERY_OPTIMIZER) -> AgentContext:
    stats = SlowQuery(query_hash="abc123", fingerprint="select ...", query_text=SQL, executions=12,
                      total_elapsed_ms=3_600_000.0, mean_elapsed_ms=300_000.0)
    result = analyze(SQL, SNAPSHOT, stats)
    tables = [table_metadata(t, None) for t in touched_tables(SQL, SNAPSHOT)]
    return AgentContext(
        agent_name=agent, run_date="2026-03-15", schema_version=SNAPSHOT.schema_version,
        query=QueryInfo(query_hash="abc123", fingerprint="select ...", query_text=SQL, executions=12,
                        total_elapsed_ms=3_600_000.0, rank=1),
        findings=result.findings if agent == QUERY_OPTIMIZER else [], tables=tables,
        metrics={**query_metrics(stats, 1, 0.000833), **table_metrics(tables)},
        optimized_query=result.optimized_query, rewrites=result.rewrites, verification=result.verification,
    )


def response(tool_input: dict, agent: str = QUERY_OPTIMIZER, tokens: tuple[int, int] = (900, 150)) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "tooluse_1", "name": tool_name(agent), "input": tool_input}}]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 420},
    }


def good_answer(ctx: AgentContext) -> dict:
    code = ctx.findings[0].code
    return {
        "optimized_query": None,
        "analysis": [{"text": "The join has no predicate.", "cites": [code, "query.total_elapsed_ms"]},
                     {"text": "The warehouse is probably undersized.", "cites": []},
                     {"text": "Invented finding.", "cites": ["Q999"]}],
        "estimated_benefit": {"summary": "An hour a day at stake.", "time_at_stake_seconds_per_day": 3600,
                              "cites": ["query.seconds_per_day"]},
        "additional_actions": [{"text": "Add the join predicate.", "cites": [code]}],
        "confidence": 0.8,
    }


@pytest.fixture()
def stubbed():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    requests: list[dict] = []
    client.meta.events.register("provide-client-params.bedrock-runtime.Converse",
                                lambda params, **_: requests.append(json.loads(json.dumps(params))))
    sleeps: list[float] = []
    converse = ConverseClient(MODEL, client=client, max_attempts=4, backoff_seconds=0.5, sleep=sleeps.append)
    engine = BedrockEngine(converse, load_project_prompts(ROOT / "include", "v1"), max_tokens=1200)
    with Stubber(client) as stub:
        yield engine, stub, requests, sleeps
        stub.assert_no_pending_responses()


def test_a_valid_answer_is_kept_with_its_citations_and_costs(stubbed):
    engine, stub, requests, _ = stubbed
    ctx = context()
    stub.add_response("converse", response(good_answer(ctx)))
    result = engine.run(ctx)

    assert result.succeeded and result.engine == "bedrock" and result.model_id == MODEL
    assert result.prompt_version == "v1" and result.attempts == 1
    assert [a["text"] for a in result.output["analysis"]] == ["The join has no predicate."]
    assert result.output["analysis"][0]["cites"] == [ctx.findings[0].code, "query.total_elapsed_ms"]
    assert result.dropped_claims == 2, "the uncited and the invented-code statements are dropped"
    assert result.token_usage.input_tokens == 900 and result.token_usage.output_tokens == 150
    assert result.analysis_cost_usd == pytest.approx(0.9 * 0.003 + 0.15 * 0.015)
    assert result.confidence == 0.8
    assert result.severity == max(f.severity for f in ctx.findings)
    assert {f.code for f in result.findings} >= {"Q002", "Q003", "Q005"}

    request = requests[0]
    assert request["modelId"] == MODEL
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "report_redshift_query_optimizer"}}
    schema = request["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert {"optimized_query", "analysis", "estimated_benefit", "additional_actions"} <= set(schema["properties"])
    assert request["inferenceConfig"]["maxTokens"] == 1200
    sent = json.loads(request["messages"][0]["content"][0]["text"].split("\n", 1)[1])
    assert {t["table_name"] for t in sent["tables"]} == {"public.sales", "public.customers", "public.orders"}, \
        "only the touched tables' metadata, never the whole schema"


def test_no_literal_of_the_query_leaves(stubbed):
    engine, stub, requests, _ = stubbed
    ctx = context()
    stub.add_response("converse", response(good_answer(ctx)))
    engine.run(ctx)
    body = json.dumps(requests)
    for literal in LITERALS:
        assert literal not in body
    assert "'?'" in requests[0]["messages"][0]["content"][0]["text"]


def test_throttling_is_retried_with_growing_backoff(stubbed):
    engine, stub, requests, sleeps = stubbed
    ctx = context()
    for _ in range(3):
        stub.add_client_error("converse", service_error_code="ThrottlingException",
                              service_message="Too many requests", http_status_code=429)
    stub.add_response("converse", response(good_answer(ctx)))
    result = engine.run(ctx)
    assert result.succeeded
    assert len(sleeps) == 3 and all(0 <= s <= cap for s, cap in zip(sleeps, (0.5, 1.0, 2.0)))


def test_throttling_beyond_the_attempts_is_an_error(stubbed):
    engine, stub, _, sleeps = stubbed
    for _ in range(4):
        stub.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    with pytest.raises(ModelError, match="ThrottlingException after 4 attempts"):
        engine.run(context())
    assert len(sleeps) == 3


def test_an_access_error_is_not_retried(stubbed):
    engine, stub, _, sleeps = stubbed
    stub.add_client_error("converse", service_error_code="AccessDeniedException", http_status_code=403)
    with pytest.raises(ModelError, match="AccessDeniedException"):
        engine.run(context())
    assert sleeps == []


def test_a_malformed_answer_is_retried_once_with_the_error_then_recorded_as_failed(stubbed):
    engine, stub, requests, _ = stubbed
    ctx = context()
    stub.add_response("converse", response({"analysis": "not a list", "confidence": 0.5}))
    stub.add_response("converse", response({"analysis": [{"cites": ["Q002"]}], "confidence": 0.5}))
    result = engine.run(ctx)
    assert not result.succeeded and result.output is None
    assert result.attempts == 2 and result.token_usage.calls == 2
    assert "failed validation twice" in result.error and "analysis" in result.error
    retry = requests[1]["messages"]
    assert retry[1]["role"] == "assistant" and "toolUse" in retry[1]["content"][0]
    tool_result = retry[2]["content"][0]["toolResult"]
    assert tool_result["status"] == "error" and tool_result["toolUseId"] == "tooluse_1"
    assert "does not match its schema" in tool_result["content"][0]["text"]


def test_a_corrected_answer_after_the_error_is_kept(stubbed):
    engine, stub, _, _ = stubbed
    ctx = context()
    stub.add_response("converse", {**response({}), "output": {"message": {"role": "assistant",
                                   "content": [{"text": "Here is my analysis in prose."}]}}, "stopReason": "end_turn"})
    stub.add_response("converse", response(good_answer(ctx)))
    result = engine.run(ctx)
    assert result.succeeded and result.attempts == 2


def test_a_rewrite_that_changes_the_columns_is_rejected(stubbed):
    engine, stub, requests, _ = stubbed
    ctx = context()
    bad = {**good_answer(ctx), "optimized_query": "SELECT s.sale_id FROM public.sales s"}
    stub.add_response("converse", response(bad))
    stub.add_response("converse", response(bad))
    result = engine.run(ctx)
    assert not result.succeeded and "different columns" in result.error


def test_a_verified_rewrite_keeps_its_placeholders(stubbed):
    engine, stub, _, _ = stubbed
    ctx = context()
    rewrite = ("SELECT s.sale_id, s.customer_id, s.product_id, s.sale_date, s.amount, s.channel, s.order_id, "
               "c.customer_id, c.name, c.segment, c.signup_date, c.country_code FROM public.sales s, public.customers c "
               "WHERE s.sale_date >= '?' AND s.amount > ?")
    original = "SELECT * FROM public.sales s, public.customers c WHERE TRUNC(s.sale_date) = '?' AND s.amount > ?"
    ctx = ctx.model_copy(update={"query": ctx.query.model_copy(update={"query_text": original})})
    stub.add_response("converse", response({**good_answer(ctx), "optimized_query": rewrite}))
    result = engine.run(ctx)
    assert result.succeeded, result.error
    assert result.output["optimized_query"] == rewrite
    assert result.verification.value in ("parsed", "signature")
    assert any("redacted" in note for note in result.verification_notes)


def test_validation_checks_come_from_the_warehouse_never_from_the_model(stubbed):
    engine, stub, _, _ = stubbed
    check = ValidationCheck(code="V002", table="public.sales", status="failed", observed={"duplicated_keys": 3})
    ctx = context(DATA_VALIDATION).model_copy(update={"validation_checks": [check]})
    ctx.metrics["check.V002.public.sales"] = "failed"
    answer = {"validation_checks": [{"code": "V001", "table": "x", "status": "passed"}],
              "issues_detected": [{"table": "public.sales", "text": "Duplicates.", "cites": ["check.V002.public.sales"]}],
              "recommended_fixes": [{"table": "public.sales", "text": "Upsert.", "cites": []}],
              "confidence_score": 0.9}
    stub.add_response("converse", response(answer, DATA_VALIDATION))
    result = engine.run(ctx)
    assert result.succeeded
    assert result.output["validation_checks"] == [check.model_dump(mode="json")]
    assert len(result.output["issues_detected"]) == 1 and result.output["recommended_fixes"] == []
    assert result.confidence == 0.9


def test_cost_savings_are_recomputed_from_the_cited_actions(stubbed):
    engine, stub, _, _ = stubbed
    ctx = context(COST_SAVER)
    answer = {"high_cost_queries": [], "wlm_recommendations": [], "storage_optimizations": [],
              "cost_reduction_actions": [
                  {"text": "Materialize it.", "seconds_per_day": 3000, "money_per_day": 2.5, "cites": ["query.seconds_per_day"]},
                  {"text": "Made up.", "seconds_per_day": 99999, "money_per_day": 999, "cites": []}],
              "estimated_savings": {"seconds_per_day": 123456, "money_per_day": 9999}, "confidence": 0.6}
    stub.add_response("converse", response(answer, COST_SAVER))
    result = engine.run(ctx)
    assert result.output["estimated_savings"]["seconds_per_day"] == 3000
    assert result.output["estimated_savings"]["money_per_day"] == 2.5
