"""Agents benchmark. Prints figures; not a test.

1. Prompt tokens per analysis for a 1,000-table snapshot: what the Bedrock engine sends
   (the rule findings and only the touched tables) against the same request carrying the
   whole schema, per agent, and the ratio. Tokens are estimated at 4 characters per token
   (Claude's tokenizer is not available offline; the ratio does not depend on the divisor).
2. Wall time of the offline optimization DAG (rules engine) with ``dag.test()`` on the demo
   warehouse, the local AWS endpoint and a SQLite Airflow DB.

    .venv/bin/python bench/bench_agents.py [--scale 0.02] [--top 10] [--skip-dag]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
STATE = ROOT / ".local" / "bench"
HOME = STATE / "airflow-agents"
HOME.mkdir(parents=True, exist_ok=True)
os.environ.update({
    "AIRFLOW_HOME": str(HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME / 'airflow.db'}",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
})

CHARS_PER_TOKEN = 4.0
from redshift_optimizer.agents.registry import AGENTS as REGISTRY  # noqa: E402 (after sys.path)

AGENTS = tuple(unit.name for unit in REGISTRY)


def synthetic_snapshot(tables: int = 1000, columns: int = 16):
    from redshift_optimizer.models.lake import ColumnSnapshot, SchemaSnapshot, SnapshotSource, TableSnapshot

    rng = random.Random(7)
    types = ["BIGINT", "INTEGER", "VARCHAR(256)", "DATE", "TIMESTAMP", "DECIMAL(18,2)", "CHAR(2)", "BOOLEAN"]
    result = []
    for n in range(tables):
        cols = [ColumnSnapshot(name=f"c{i:02d}" if i else "id", type=types[i % len(types)] if i else "BIGINT",
                               encoding=rng.choice(["AZ64", "ZSTD", "RAW", "LZO"]), nullable=i > 0,
                               dist_key=i == 1, sort_key_position=1 if i == 3 else 0) for i in range(columns)]
        rows = rng.choice([5_000, 800_000, 4_000_000, 25_000_000, 300_000_000])
        result.append(TableSnapshot(
            table_name=f"mart.t{n:04d}", row_count=rows, size_mb=rows / 20_000, dist_style="KEY", dist_key="c01",
            sort_keys=["c03"], sort_key_type="COMPOUND", skew_rows=round(rng.uniform(1, 6), 2),
            unsorted_pct=round(rng.uniform(0, 40), 1), stats_off=round(rng.uniform(0, 30), 1),
            estimated_visible_rows=rows, vacuum_sort_benefit=0.0, encoded=True, max_varchar=256,
            primary_key=["id"], columns=cols))
    return SchemaSnapshot(extract_timestamp="2026-05-21T02:00:00Z",
                          source=SnapshotSource(engine="redshift", database="analytics", serverless=True),
                          schema_version="bench", tables=result)


SQL = """SELECT *
FROM mart.t0001 a
JOIN mart.t0002 b ON b.c02 = a.c02
JOIN mart.t0003 c ON c.c05 = b.c05
WHERE TRUNC(a.c03) = '2026-05-20' AND b.c07 LIKE '%promo%' AND c.c09 > 1000
ORDER BY a.id
LIMIT 500"""


def prompt_tokens() -> None:
    from redshift_optimizer.agents.context import table_metadata, table_metrics
    from redshift_optimizer.agents.engines import BedrockEngine, tool_input_schema, tool_name
    from redshift_optimizer.agents.registry import agent as agent_unit
    from redshift_optimizer.agents.prompts import load_project_prompts
    from redshift_optimizer.analysis import review_schema
    from redshift_optimizer.fingerprint import fingerprint
    from redshift_optimizer.models.lake import SlowQueries, SlowQuery
    from redshift_optimizer.pipelines.query_optimization import agent_contexts
    from redshift_optimizer.settings import load_settings

    snapshot = synthetic_snapshot()
    prompts = load_project_prompts(ROOT / "include", "v1")
    fp = fingerprint(SQL)
    stats = SlowQuery(query_hash=fp.query_hash, fingerprint=fp.text, query_text=SQL, executions=40,
                      total_elapsed_ms=2_400_000, mean_elapsed_ms=60_000, queue_ms=300_000)
    window = SlowQueries(window_start="2026-05-20T00:00:00Z", window_end="2026-05-21T00:00:00Z",
                         threshold_ms=5000, source_view="SYS_QUERY_HISTORY", queries=[stats])
    review = review_schema(snapshot, None, window)
    contexts = agent_contexts(stats, 1, AGENTS, snapshot, None, review, window, {}, load_settings(),
                              run_date="2026-05-20")
    touched = contexts[AGENTS[0]].tables
    every = [table_metadata(t, None) for t in snapshot.tables]
    print(f"prompt tokens per analysis, {len(snapshot.tables):,}-table snapshot, query touching {len(touched)} tables "
          f"(~{CHARS_PER_TOKEN:.0f} chars/token; system prompt + tool schema + context)")
    print(f"{'agent':<26} {'touched only':>13} {'whole schema':>13} {'ratio':>7}")
    totals = [0, 0]
    engine = BedrockEngine.__new__(BedrockEngine)  # only its message builder is used
    for agent in AGENTS:
        ctx = contexts[agent]
        whole = ctx.model_copy(update={"tables": every, "metrics": {**ctx.metrics, **table_metrics(every)}})
        sizes = []
        for candidate in (ctx, whole):
            message = json.dumps(BedrockEngine.messages(engine, candidate))
            tool = json.dumps({"name": tool_name(agent), "description": agent_unit(agent).tool_description,
                               "inputSchema": {"json": tool_input_schema(agent)}})
            sizes.append((len(prompts.prompt(agent)) + len(tool) + len(message)) / CHARS_PER_TOKEN)
        totals[0] += sizes[0]
        totals[1] += sizes[1]
        print(f"{agent:<26} {sizes[0]:>13,.0f} {sizes[1]:>13,.0f} {sizes[1] / sizes[0]:>6.0f}x")
    print(f"{'four agents':<26} {totals[0]:>13,.0f} {totals[1]:>13,.0f} {totals[1] / totals[0]:>6.0f}x")


def dag_wall_time(scale: float, top: int) -> None:
    import psycopg2

    from local import services
    from local.demo.workload import workload_queries
    from local.postgres import LocalPostgres
    from redshift_optimizer.catalog.profile import profile_snapshot
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot
    from redshift_optimizer.fingerprint import fingerprint
    from redshift_optimizer.models.lake import SlowQueries, SlowQuery, run_day_keys
    from redshift_optimizer.settings import load_settings
    from redshift_optimizer.warehouse import warehouse_from_connection

    server = LocalPostgres(STATE / "postgres", port=0)
    was_running = server.running_port() is not None
    server.start()
    moto = services.MotoServer(services.free_port(), Path(tempfile.mkdtemp()) / "aws.log").start()
    try:
        dsn = services.prepare_warehouse(server)
        services.load_demo(dsn, scale, repetitions=0, log=lambda m: None)
        os.environ.update(services.airflow_connections(dsn))
        os.environ.update(services.aws_environment(moto.url))
        os.environ.update(services.demo_variable({"top_queries": top}))
        services.provision_aws(moto.url, services.DEMO_SETTINGS["bucket"],
                               [services.SCHEMA_CHANGE_TOPIC, services.ALERTS_TOPIC], services.HISTORY_TABLE)
        now = datetime.now(timezone.utc)
        with warehouse_from_connection("redshift_default", load_settings().resolved_include_dir()) as warehouse:
            snapshot = extract_schema_snapshot(warehouse, now, ["tpch"])
            profile = profile_snapshot(warehouse, snapshot, now, sample_rows=500_000, top_values_max_distinct=20,
                                       top_values_count=5, max_tables=50)
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        queries = []
        with conn.cursor() as cur:
            for query in workload_queries():
                text = cur.mogrify(query.sql, query.variants[0]).decode()
                started = time.perf_counter()
                cur.execute(text)
                elapsed = (time.perf_counter() - started) * 1000
                fp = fingerprint(text)
                queries.append(SlowQuery(query_hash=fp.query_hash, fingerprint=fp.text, query_text=text,
                                         executions=1, total_elapsed_ms=elapsed, mean_elapsed_ms=elapsed))
        conn.close()
        day = date(2026, 5, 20)
        slow = SlowQueries(window_start="2026-05-20T00:00:00Z", window_end="2026-05-21T00:00:00Z",
                           threshold_ms=0, source_view="SYS_QUERY_HISTORY", queries=queries)
        import boto3

        s3 = boto3.client("s3")
        prefix = f"bench-{int(time.time())}"
        keys = run_day_keys(day)
        for key, document in ((keys["schema_dated"], snapshot), (keys["profile"], profile), (keys["slow_queries"], slow)):
            s3.put_object(Bucket=services.DEMO_SETTINGS["bucket"], Key=f"{prefix}/{key}",
                          Body=document.model_dump_json().encode())

        from airflow.dag_processing.dagbag import DagBag
        from airflow.utils.db import initdb

        initdb()
        dag = DagBag(dag_folder=str(ROOT / "dags" / "redshift_query_optimization.py")).dags["redshift_query_optimization"]
        started = time.perf_counter()
        run = dag.test(logical_date=None, run_conf={"run_date": day.isoformat(), "settings": {"key_prefix": prefix}})
        wall = time.perf_counter() - started
        tis = [ti for ti in run.get_task_instances() if ti.map_index is not None and ti.map_index >= 0]
        print(f"\noffline optimization DAG (rules engine, dag.test, demo scale {scale}, "
              f"{len(tis) // 4} queries x 4 agents): {run.state} in {wall:.1f} s "
              f"({wall / max(len(tis), 1) * 1000:.0f} ms per mapped agent instance, in-process and sequential)")
    finally:
        moto.stop()
        if not was_running:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="demo warehouse scale (default 0.02)")
    parser.add_argument("--top", type=int, default=10, help="fingerprints analysed (default 10)")
    parser.add_argument("--skip-dag", action="store_true", help="only the prompt-token figures")
    args = parser.parse_args()
    prompt_tokens()
    if not args.skip_dag:
        dag_wall_time(args.scale, args.top)


if __name__ == "__main__":
    main()
