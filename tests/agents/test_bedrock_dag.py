"""The optimization DAG with the bedrock engine against a local endpoint that speaks the
Converse wire format (the product's own boto3 client, redirected by
AWS_ENDPOINT_URL_BEDROCK_RUNTIME): structured answers stored, a throttling burst
survived, a malformed answer rejected, and no literal of any query in any request."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from redshift_optimizer.agents.context import query_literals
from tests.agents.conftest import history_items, scaled_settings, seed_day
from tests.agents.test_optimization_dag import AGENTS, records

pytestmark = pytest.mark.stack

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


def _keys(node) -> str:
    if isinstance(node, dict):
        return " ".join(f"{k} {_keys(v)}" for k, v in node.items())
    if isinstance(node, list):
        return " ".join(_keys(v) for v in node)
    return ""


def _values(node):
    if isinstance(node, dict):
        return [_values(v) for v in node.values()]
    if isinstance(node, list):
        return [_values(v) for v in node]
    return node


def run_bedrock(dag, day: date, prefix: str, **settings):
    conf = {"run_date": day.isoformat(), "settings": {
        "key_prefix": prefix, **scaled_settings(), "top_queries": 4, "agent_engine": "bedrock",
        "bedrock_model_id": MODEL, "bedrock_backoff_seconds": 0.01, "bedrock_backoff_max_seconds": 0.05,
        **settings}}
    return dag.test(logical_date=None, run_conf=conf)


def test_bedrock_answers_are_stored_after_a_throttling_burst(optimization_dag, stack, demo_day, fake_bedrock):
    snapshot, profile, slow = demo_day
    day = date(2026, 4, 1)
    seed_day("bedrock", day, snapshot, profile, slow)
    fake_bedrock.throttle = 5

    dag_run = run_bedrock(optimization_dag, day, "bedrock")
    assert dag_run.state == "success"
    assert fake_bedrock.throttled == 5, "the burst was answered with ThrottlingException and survived"
    assert set(fake_bedrock.model_ids) == {MODEL}

    archived = records(day.isoformat(), "bedrock")
    assert len(archived) == 4
    for record in archived.values():
        assert record["engine"] == "bedrock" and record["prompt_version"] == "v1" and record["model_id"] == MODEL
        for name in AGENTS:
            result = record["agents"][name]
            assert result["status"] == "succeeded" and result["engine"] == "bedrock"
            if name == "data-validation-agent" and not result["output"]["validation_checks"]:
                assert result["token_usage"]["calls"] == 0, "nothing to validate: no model call"
                continue
            assert result["token_usage"]["input_tokens"] > 0 and result["analysis_cost_usd"] > 0
            assert result["dropped_claims"] >= 1, "the fake model's uncited statement was dropped"
        analysis = record["agents"]["redshift-query-optimizer"]["output"]["analysis"]
        assert all(item["cites"] for item in analysis)
        assert record["analysis_timestamp"].startswith("2026-04-01T00:00:00Z#bedrock#v1#")

    # no literal from any query's text appears in any request sent (words that are also the
    # product's own vocabulary, e.g. 'returned' in the metric key query.returned_rows, are
    # checked against the values only)
    bodies = [json.dumps(body["messages"]) for body in fake_bedrock.requests]
    assert len(bodies) >= 12
    contexts = [json.loads(body["messages"][0]["content"][0]["text"].split("\n", 1)[1])
                for body in fake_bedrock.requests]
    vocabulary = set(re.findall(r"[a-z]+", " ".join(_keys(c) for c in contexts)))
    literals = {q.query_hash: query_literals(q.query_text) for q in slow.queries}
    checked = 0
    for body, ctx in zip(bodies, contexts):
        values = json.dumps(_values(ctx))
        own = ctx["query"]["query_hash"]
        for query_hash, (strings, numbers) in literals.items():
            pieces = {p for s in strings for p in re.split(r"%+", s) if len(p) >= 3}
            for literal in pieces:
                if literal.lower() in vocabulary and query_hash != own:
                    continue  # a word of the product's own text ('returned' rows) in another query's request
                checked += 1
                where = values if literal.lower() in vocabulary else body
                assert literal not in where, f"{literal!r} of {query_hash} left in a request for {own}"
            if query_hash != own:
                continue  # another query's number that equals a metric here is no leak
            for number in numbers:
                if number >= 10:
                    text = str(int(number)) if number == int(number) else repr(number)
                    # the number itself, not the digits of another one (20 in 20.37)
                    assert not re.search(rf"(?<![\w.]){re.escape(text)}(?:\.0+)?(?!\w|\.\d)", values), \
                        f"{text} of {own} left for the model"
    assert checked > 100, "the check saw the queries' literals"


def test_a_malformed_answer_is_rejected_and_recorded_as_failed(optimization_dag, stack, demo_day, fake_bedrock):
    snapshot, profile, slow = demo_day
    day = date(2026, 4, 2)
    seed_day("malformed", day, snapshot, profile, slow)
    fake_bedrock.malformed = {"report_cost_saver"}

    dag_run = run_bedrock(optimization_dag, day, "malformed", top_queries=2)
    assert dag_run.state == "failed", "the run shows that an agent failed"
    archived = records(day.isoformat(), "malformed")
    assert len(archived) == 2
    for record in archived.values():
        cost = record["agents"]["cost-saver"]
        assert cost["status"] == "failed" and cost["output"] is None and cost["attempts"] == 2
        assert "failed validation twice" in cost["error"]
        assert all(record["agents"][n]["status"] == "succeeded" for n in AGENTS if n != "cost-saver")
    cost_requests = [b for b in fake_bedrock.requests if b["toolConfig"]["toolChoice"]["tool"]["name"] == "report_cost_saver"]
    assert len(cost_requests) == 4, "each fingerprint: the answer, then one retry with the error"
    assert all(r["messages"][-1]["content"][0]["toolResult"]["status"] == "error" for r in cost_requests[1::2])

    # the failed agent is not a recommendation: a re-run retries only it
    fake_bedrock.malformed = set()
    before = len(fake_bedrock.requests)
    assert run_bedrock(optimization_dag, day, "malformed", top_queries=2).state == "success"
    retried = fake_bedrock.requests[before:]
    assert {b["toolConfig"]["toolChoice"]["tool"]["name"] for b in retried} == {"report_cost_saver"}
    for record in records(day.isoformat(), "malformed").values():
        assert record["agents"]["cost-saver"]["status"] == "succeeded" and record["revision"] == 2


def test_a_new_engine_stores_its_result_beside_the_old(optimization_dag, stack, demo_day, fake_bedrock):
    snapshot, profile, slow = demo_day
    day = date(2026, 4, 3)
    seed_day("beside", day, snapshot, profile, slow)
    conf = {"key_prefix": "beside", **scaled_settings(), "top_queries": 2}
    assert optimization_dag.test(logical_date=None, run_conf={"run_date": day.isoformat(), "settings": conf}).state == "success"
    assert run_bedrock(optimization_dag, day, "beside", top_queries=2).state == "success"

    for query_hash, record in records(day.isoformat(), "beside").items():
        assert record["engine"] == "bedrock"
        assert [e["engine"] for e in record["earlier_analyses"]] == ["rules"]
        items = [i for i in history_items(day.isoformat()) if i["query_hash"]["S"] == query_hash
                 and "/beside/" in i["archive_uri"]["S"]]
        assert sorted(i["engine"]["S"] for i in items) == ["bedrock", "rules"]
