"""Pure parts of the agents: the run's day, tool schemas, citations, the context a model sees,
prompts, the rules engine's recommendations and the alert text."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from redshift_optimizer.agents.context import AgentContext, table_metadata, touched_tables
from redshift_optimizer.agents.prompts import load_project_prompts, load_s3_prompts
from redshift_optimizer.agents.rules_engine import cost_saver, schema_normalizer
from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.models.agents import (
    AGENT_NAMES,
    Cited,
    QueryInfo,
    QueryOptimizerOutput,
    drop_uncited,
)
from redshift_optimizer.agents.engines import tool_input_schema
from redshift_optimizer.models.findings import Evidence, Finding, Severity
from redshift_optimizer.models.lake import ColumnProfile, DataProfile, SchemaSnapshot, TableProfile, TopValue
from redshift_optimizer.pipelines.alerts import alert_message
from redshift_optimizer.runtime import optimization_day
from redshift_optimizer.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = SchemaSnapshot.model_validate(json.loads((ROOT / "tests/analysis/snapshot.json").read_text()))


# ------------------------------------------------------------------------------ the day

def test_the_day_comes_from_params_then_the_asset_event_then_the_interval():
    event = SimpleNamespace(extra={"run_date": "2026-05-20", "keys": {}})
    older = SimpleNamespace(extra={"run_date": "2026-05-19"})
    asset_context = {"params": {"run_date": None}, "triggering_asset_events": {"asset": [older, event]},
                     "data_interval_start": None, "logical_date": None}
    assert optimization_day(asset_context) == date(2026, 5, 20), "the newest refreshed day"
    assert optimization_day({**asset_context, "params": {"run_date": "2026-01-02"}}) == date(2026, 1, 2)
    scheduled = {"params": {}, "triggering_asset_events": {},
                 "data_interval_start": datetime(2026, 3, 4, 6, tzinfo=timezone.utc)}
    assert optimization_day(scheduled) == date(2026, 3, 4)


# ------------------------------------------------------------------------ tool schemas

@pytest.mark.parametrize("agent", AGENT_NAMES)
def test_each_tool_schema_comes_from_the_output_model(agent):
    schema = tool_input_schema(agent)
    text = json.dumps(schema)
    assert "$ref" not in text and '"title"' not in text
    assert schema["type"] == "object" and set(schema["required"]) <= set(schema["properties"])
    assert "validation_checks" not in schema["properties"], "measurements never come from the model"
    assert ("confidence" in schema["properties"]) or ("confidence_score" in schema["properties"])


def test_uncited_statements_are_dropped_and_unknown_citations_stripped():
    output = QueryOptimizerOutput(analysis=[
        Cited(text="backed", cites=["Q002", "Q999"]), Cited(text="bare", cites=[]), Cited(text="made up", cites=["X1"])])
    kept, dropped = drop_uncited(output, {"Q002", "query.total_elapsed_ms"})
    assert [c.text for c in kept.analysis] == ["backed"] and kept.analysis[0].cites == ["Q002"]
    assert dropped == 2


# ------------------------------------------------------------------------- the context

def test_touched_tables_are_the_base_tables_only():
    sql = """WITH recent AS (SELECT * FROM public.sales WHERE sale_date > '2026-01-01')
             SELECT * FROM recent r JOIN customers c ON c.customer_id = r.customer_id"""
    assert sorted(t.table_name for t in touched_tables(sql, SNAPSHOT)) == ["public.customers", "public.sales"]
    assert touched_tables("SELECT FROM WHERE (", SNAPSHOT) == []


def test_the_model_never_sees_data_values_or_literals():
    profile = DataProfile(extract_timestamp="x", tables=[TableProfile(table_name="public.customers", columns=[
        ColumnProfile(name="name", type="VARCHAR(64)", null_ratio=0.01, min="Aaron Secretman", max="Zed Hiddenvalue",
                      top_values=[TopValue(value="John Privacy", count=9)])])])
    sql = "SELECT name FROM public.customers WHERE segment = 'GOLD-7731' AND country_code = 'QX' LIMIT 4242"
    meta = [table_metadata(t, profile) for t in touched_tables(sql, SNAPSHOT)]
    finding = Finding(code="Q017", severity=Severity.LOW, title="t", message="LIMIT 4242 with segment = 'GOLD-7731'",
                      fix="f", evidence=[Evidence(kind="fragment", name="query", value="segment = 'GOLD-7731'"),
                                         Evidence(kind="metric", name="limit", value=4242)])
    ctx = AgentContext(agent_name="redshift-query-optimizer", run_date="2026-01-01", schema_version="v",
                       query=QueryInfo(query_hash="h", fingerprint="f", query_text=sql), findings=[finding],
                       tables=meta, metrics={"column.public.customers.name.null_ratio": 0.01})
    sent = json.dumps(ctx.for_model())
    for secret in ("GOLD-7731", "4242", "Secretman", "Hiddenvalue", "John Privacy"):
        assert secret not in sent
    assert '"null_ratio": 0.01' in sent and "public.customers" in sent


# ------------------------------------------------------------------------------ prompts

def test_project_prompts_carry_their_version_and_the_common_rules():
    prompts = load_project_prompts(ROOT / "include", "v1")
    assert prompts.version == "v1" and prompts.date and prompts.changes
    for agent in AGENT_NAMES:
        text = prompts.prompt(agent)
        assert agent in text and "cites" in text
    with pytest.raises(ConfigurationError, match="prompt_version"):
        load_project_prompts(ROOT / "include", "v999")


def test_s3_prompts_are_the_contract_txt_files():
    files = {f"bedrock-context/prompts/v2/{a}.txt": f"You are {a}, v2." for a in AGENT_NAMES}
    lake = SimpleNamespace(read_json=lambda key: None, read_text=lambda key: files.get(key))
    prompts = load_s3_prompts(lake, "v2")
    assert prompts.version == "v2" and prompts.prompt("cost-saver").startswith("You are cost-saver, v2.")
    files.pop("bedrock-context/prompts/v2/cost-saver.txt")
    with pytest.raises(ConfigurationError, match="prompt_source = s3"):
        load_s3_prompts(lake, "v2")


def test_the_engine_is_bedrock_only_with_a_model():
    assert load_settings().resolved_agent_engine() == "rules"
    assert load_settings({"bedrock_model_id": "m"}).resolved_agent_engine() == "bedrock"
    with pytest.raises(ConfigurationError, match="bedrock_model_id"):
        load_settings({"agent_engine": "bedrock"}).resolved_agent_engine()


# --------------------------------------------------------------------- rules engine

def _ctx(agent: str, findings: list[Finding], **extra) -> AgentContext:
    tables = [table_metadata(t, None) for t in SNAPSHOT.tables if t.table_name in ("public.sales", "public.orders")]
    return AgentContext(agent_name=agent, run_date="2026-01-01", schema_version="v",
                        query=QueryInfo(query_hash="h", fingerprint="f", query_text="select 1"),
                        findings=findings, tables=tables, **extra)


def test_schema_normalizer_moves_the_dist_key_to_the_dominant_join_column():
    t012 = Finding(code="T012", severity=Severity.MEDIUM, title="t", message="joined on order_id", fix="ALTER ...",
                   table="public.sales", column="order_id")
    t015 = Finding(code="T015", severity=Severity.HIGH, title="t", message="null dist key", fix="EVEN",
                   table="public.sales", column="customer_id")
    t005 = Finding(code="T005", severity=Severity.LOW, title="t", message="encoded sort key", fix="RAW",
                   table="public.orders", column="order_date")
    output, _ = schema_normalizer(_ctx("schema-normalizer", [t015, t012, t005]))
    (dist,) = output.distribution_recommendations
    assert dist.ddl == "ALTER TABLE public.sales ALTER DISTKEY order_id;" and sorted(dist.cites) == ["T012", "T015"]
    assert output.encoding_recommendations[0].ddl == "ALTER TABLE public.orders ALTER COLUMN order_date ENCODE RAW;"
    assert len(output.schema_findings) == 3


def test_cost_saver_adds_up_the_findings_savings():
    c001 = Finding(code="C001", severity=Severity.HIGH, title="t", message="ran 40 times", fix="MV",
                   query_hash="h", saving={"seconds_per_day": 3000.0, "money_per_day": 2.5})
    c002 = Finding(code="C002", severity=Severity.LOW, title="t", message="unused", fix="UNLOAD", table="public.old",
                   saving={"money_per_day": 0.1})
    c003 = Finding(code="C003", severity=Severity.MEDIUM, title="t", message="queued", fix="WLM", query_hash="h")
    output, _ = cost_saver(_ctx("cost-saver", [c001, c002, c003], workload=[
        {"query_hash": "h", "executions": 40, "total_elapsed_seconds": 3600.0, "cost_per_day": 3.0,
         "share_of_workload_pct": 60.0}]))
    assert output.estimated_savings.seconds_per_day == 3000.0 and output.estimated_savings.money_per_day == 2.6
    assert output.storage_optimizations[0].money_per_month == 3.0
    assert output.wlm_recommendations[0].cites == ["C003"]
    assert output.high_cost_queries[0].cost_per_day == 3.0


# ------------------------------------------------------------------------------- alerts

def test_the_alert_names_queries_agents_codes_and_where_to_read():
    settings = load_settings()
    assert alert_message({"run_date": "2026-05-20", "alerts": []}, settings, "s3://b/recommendations/") is None
    persisted = {"run_date": "2026-05-20", "alerts": [{
        "query_hash": "abc", "rank": 1, "severity": "CRITICAL", "fingerprint": "select ...",
        "agents": [{"agent": "data-validation-agent", "severity": "HIGH", "codes": ["V002"], "failed_checks": 1}],
        "archive_uri": "s3://b/recommendations/2026/05/20/abc.json", "failed_agents": ["cost-saver"]}]}
    subject, body = alert_message(persisted, settings, "s3://b/recommendations/2026/05/20/")
    assert "2026-05-20" in subject and "CRITICAL" in subject and len(subject) <= 100
    for text in ("abc", "data-validation-agent: V002", "1 failed check", "cost-saver",
                 "s3://b/recommendations/2026/05/20/abc.json", "query-optimization-history"):
        assert text in body


def test_every_agent_is_one_unit_the_registry_lists():
    from redshift_optimizer.agents.engines import tool_input_schema, tool_name
    from redshift_optimizer.agents.registry import AGENTS, agent
    from redshift_optimizer.models.agents import AGENT_NAMES, agent_task_id

    assert tuple(unit.name for unit in AGENTS) == AGENT_NAMES, "the history's agent names are the registry's"
    prompts = Path(__file__).resolve().parents[2] / "include" / "prompts" / "v1"
    for unit in AGENTS:
        assert agent(unit.name) is unit and unit.task_id == agent_task_id(unit.name)
        assert issubclass(unit.output, BaseModel)
        assert (prompts / unit.prompt_file).is_file(), unit.prompt_file
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", tool_name(unit.name)) and unit.tool_description
        schema = tool_input_schema(unit.name)
        assert not set(unit.context_fields) & set(schema["properties"]), "context fields never come from a model"
    assert len({unit.task_id for unit in AGENTS}) == len(AGENTS)
    assert len({unit.output for unit in AGENTS}) == len(AGENTS), "one output model per agent"
    with pytest.raises(ConfigurationError, match="no agent 'fifth-agent'"):
        agent("fifth-agent")


def test_the_registry_finds_agents_by_scanning_and_refuses_an_unnamed_one(tmp_path, monkeypatch):
    from redshift_optimizer.agents.registry import scan

    package = tmp_path / "more_agents"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("VALUE = 1\n")  # a module without AGENT is not an agent
    (package / "fifth.py").write_text(
        "from redshift_optimizer.agents.cost_saver import AGENT as _base\n"
        "import dataclasses\n"
        "AGENT = dataclasses.replace(_base, name='fifth-agent')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match=r"without a name in models.agents.AGENT_NAMES: \['fifth-agent'\]"):
        scan("more_agents")
