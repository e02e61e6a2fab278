"""The API's figures, offline on the local stack. Prints figures; not a test.

1. GET /history latency (median and 99th percentile) with 10,000 stored results: the
   results go into the local DynamoDB through HistoryStore (30 days, ~333 a day), then the
   API under uvicorn answers the page's listings: the default (last 30 days, 50 a page),
   one severity, one finding code (a filter DynamoDB applies after reading), and a page
   further down with the cursor; then the default listing and limit=200 from 10 clients
   at once (the target: p99 <= 300 ms at concurrency 10).
2. Time from POST /optimize/redshift to results: the embedded PostgreSQL with the demo
   warehouse, the local AWS endpoint, a real Airflow (api-server, scheduler,
   dag-processor, LocalExecutor), the API; each query is submitted over HTTP and its job
   followed until the four agents' results are in; then 30 submissions at once, and the
   time until the last of them has finished.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
STATE = ROOT / ".local" / "bench-api"
os.environ["AIRFLOW_HOME"] = str(STATE / "client-airflow")
for _name in [n for n in os.environ if n.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "AWS_", "OPTIMIZER_API_"))]:
    del os.environ[_name]

import httpx  # noqa: E402

from local import services  # noqa: E402

RESULTS = 10_000
DAYS = 30
REQUESTS = 50
CONCURRENCY = 10
CONCURRENT_REQUESTS = 200  # per listing, spread over the CONCURRENCY clients
UNCACHED_REQUESTS = CONCURRENCY  # one each: every one reads DynamoDB, and moto scans all items per Query (s each)
SUBMISSIONS = 30
SCALE = float(os.environ.get("BENCH_API_SCALE", "0.05"))
QUERIES = (  # different shapes: each is a new analysis, not an answer from the history
    "SELECT * FROM tpch.orders o, tpch.customer c WHERE o.o_custkey = c.c_custkey "
    "AND o.o_orderdate >= DATE '1998-07-01'",
    "SELECT DISTINCT o_orderpriority, COUNT(*) AS n FROM tpch.orders GROUP BY o_orderpriority",
    "SELECT c_name FROM tpch.customer WHERE c_custkey NOT IN (SELECT o_custkey FROM tpch.orders "
    "WHERE o_totalprice < 0)",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(share * (len(ordered) - 1))), len(ordered) - 1)]


def store_results(table: str) -> None:
    import boto3

    from redshift_optimizer.history import DynamoHistoryStore, ensure_table
    from tests.api.records import make_record

    client = boto3.client("dynamodb")
    ensure_table(client, table)
    store = DynamoHistoryStore(table, client=client)
    today = date.today()
    severities = ("LOW", "MEDIUM", "HIGH", "CRITICAL", None)

    def put(i: int) -> None:
        severity = severities[i % len(severities)]
        store.put(make_record(f"{i:016x}", today - timedelta(days=i % DAYS), severity=severity,
                              codes=("Q001",) if i % 7 else ("Q019",)))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(RESULTS)))


def timed(call, repeats: int) -> tuple[float, float]:
    """(median, 99th percentile) in milliseconds of ``repeats`` calls, after one warm-up."""
    call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.99)


def store_call(store, params: dict):
    """The same listing straight from HistoryStore (what the API adds is the difference)."""
    from redshift_optimizer.models.findings import Severity

    def call():
        store.list(severity=Severity(params["severity"]) if "severity" in params else None,
                   code=params.get("code"), limit=params.get("limit", 50), cursor=params.get("store_cursor"))

    return call


def bench_history(aws_url: str) -> None:
    from tests.api.stack import API_KEY, ApiServer

    from api.main import create_app
    from api.settings import load_api_settings

    table = "bench-api-history"
    started = time.perf_counter()
    store_results(table)
    print(f"stored {RESULTS:,} results over {DAYS} days in {time.perf_counter() - started:.0f} s")
    settings = load_api_settings(api_keys=API_KEY, history_table=table, airflow_url="http://127.0.0.1:9")
    server = ApiServer(create_app(settings), services.free_port()).start()
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": API_KEY}, timeout=300) as client:
            deep = client.get("/history", params={"limit": 50})
            for _ in range(5):
                deep = client.get("/history", params={"limit": 50, "cursor": deep.json()["cursor"]})
            cases = [
                ("default (30 days, 50 a page)", {}),
                ("severity=HIGH", {"severity": "HIGH"}),
                ("code=Q019 (filtered after the read)", {"code": "Q019"}),
                ("7th page (cursor)", {"limit": 50, "cursor": deep.json()["cursor"]}),
                ("limit=200", {"limit": 200}),
            ]
            store = server.app.state.history
            print(f"\nGET /history, {REQUESTS} requests each, one client, {RESULTS:,} stored results in the local "
                  "DynamoDB (moto);\nthe store's own time is the same listing through HistoryStore without HTTP:")
            print(f"  {'listing':40} {'median ms':>10} {'p99 ms':>10} {'store median':>13}")
            for name, params in cases:
                median, p99 = timed(lambda: client.get("/history", params=params).raise_for_status(), REQUESTS)
                if "cursor" in params:  # the store's own cursor to the same page
                    store_cursor = None
                    for _ in range(6):
                        store_cursor = store.list(limit=50, cursor=store_cursor).cursor
                    params = {**params, "store_cursor": store_cursor}
                store_median, _ = timed(store_call(store, params), 3)
                print(f"  {name:40} {median:10.1f} {p99:10.1f} {store_median:13.1f}")
    finally:
        server.stop()
    print(f"\nGET /history from {CONCURRENCY} clients at once, {CONCURRENT_REQUESTS} requests per listing, "
          f"with the API's page cache ({settings.history_cache_seconds:g} s), and {UNCACHED_REQUESTS} without it "
          "(every request reads DynamoDB):")
    print(f"  {'listing':40} {'median ms':>10} {'p99 ms':>10} {'uncached median':>16} {'uncached p99':>13}")
    cold_settings = settings.model_copy(update={"history_cache_seconds": 0.0})
    for name, params in (("default (30 days, 50 a page)", {}), ("limit=200", {"limit": 200})):
        figures = []
        for config, requests in ((settings, CONCURRENT_REQUESTS), (cold_settings, UNCACHED_REQUESTS)):
            server = ApiServer(create_app(config), services.free_port()).start()
            try:
                figures += concurrent(server.url, params, requests)
            finally:
                server.stop()
        print(f"  {name:40} {figures[0]:10.1f} {figures[1]:10.1f} {figures[2]:16.1f} {figures[3]:13.1f}")


def concurrent(url: str, params: dict, requests: int) -> tuple[float, float]:
    """(median, 99th percentile) in ms of one listing asked by CONCURRENCY clients at once."""
    from tests.api.stack import API_KEY

    def client_run(requests: int) -> list[float]:
        timings = []
        with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=300) as client:
            client.get("/history", params=params).raise_for_status()  # warm-up
            for _ in range(requests):
                started = time.perf_counter()
                client.get("/history", params=params).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        runs = pool.map(client_run, [max(requests // CONCURRENCY, 1)] * CONCURRENCY)
        timings = [t for run in runs for t in run]
    return statistics.median(timings), percentile(timings, 0.99)


def bench_optimize(postgres, aws_url: str) -> None:
    from tests.api.stack import API_KEY, product_settings, seed_lake, start_airflow, start_api

    dsn = services.prepare_warehouse(postgres)
    services.load_demo(dsn, SCALE, repetitions=1, log=lambda message: None)
    os.environ.update(services.airflow_connections(dsn))
    settings = product_settings(SCALE, prefix="bench-api")
    seed_lake(settings, "redshift_default")
    started = time.perf_counter()
    airflow = start_airflow(STATE / "airflow", postgres, dsn, aws_url, settings)
    print(f"\nAirflow up in {time.perf_counter() - started:.0f} s (api-server, scheduler, dag-processor)")
    api = start_api(airflow.url, prefix="bench-api")
    try:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
            print(f"POST /optimize/redshift to results (demo warehouse at scale {SCALE}, rules engine, offline):")
            print(f"  {'query':60} {'1st agent s':>12} {'results s':>10}")
            totals = []
            for sql in QUERIES:
                started = time.perf_counter()
                accepted = client.post("/optimize/redshift", json={"sql": sql}).json()
                first = None
                while True:
                    job = client.get(accepted["status_url"]).json()
                    if first is None and any(a["result"] for a in job["agents"]):
                        first = time.perf_counter() - started
                    if job["status"] in ("success", "failed"):
                        break
                    time.sleep(0.2)
                total = time.perf_counter() - started
                if job["status"] != "success" or job["results"] is None:
                    raise SystemExit(f"job {accepted['job_id']} ended {job['status']}: {job['message']}")
                totals.append(total)
                print(f"  {sql[:58] + '..':60} {first or total:12.1f} {total:10.1f}")
            print(f"  median {statistics.median(totals):.1f} s, max {max(totals):.1f} s")
            submit_at_once(client)
    finally:
        api.stop()
        airflow.stop()


def submit_at_once(client: httpx.Client) -> None:
    """SUBMISSIONS different queries posted at once, each job followed to its end."""
    base = QUERIES[1]

    def run(i: int) -> tuple[str, float]:
        started = time.perf_counter()
        with httpx.Client(base_url=client.base_url, headers=client.headers, timeout=60) as own:
            # As a client should: a 503 (Airflow slow to take the trigger) is asked again with the
            # same Idempotency-Key, so a trigger that did land is not made twice.
            key = {"Idempotency-Key": f"bench-{started:.0f}-{i}"}
            for attempt in range(6):
                accepted = own.post("/optimize/redshift", headers=key,
                                    json={"sql": base.replace(" AS n ", f" AS n_{i} ")})
                if accepted.status_code != 503 or attempt == 5:
                    break
                time.sleep(2 ** attempt)
            accepted.raise_for_status()
            while True:
                answer = own.get(accepted.json()["status_url"])
                if answer.status_code == 503:  # Airflow slow to answer under the load: ask again
                    time.sleep(1)
                    continue
                job = answer.raise_for_status().json()
                if job["status"] in ("success", "partial", "failed"):
                    return job["status"], time.perf_counter() - started
                time.sleep(1)

    started = time.perf_counter()
    with ThreadPoolExecutor(SUBMISSIONS) as pool:
        ended = list(pool.map(run, range(SUBMISSIONS)))
    last = time.perf_counter() - started
    states = statistics.multimode([state for state, _ in ended])
    counts = {state: sum(1 for s, _ in ended if s == state) for state in {s for s, _ in ended}}
    print(f"\n{SUBMISSIONS} submissions at once (max_active_runs of the ad-hoc DAG: 4): "
          f"the last finished after {last:.0f} s; first {min(t for _, t in ended):.0f} s; "
          f"ended {counts}" + ("" if states == ["success"] else " (not all succeeded)"))


def main() -> None:
    from local.postgres import LocalPostgres

    # The product logs each statement and request at INFO for the task logs: here they would
    # bury the figures (the Airflow processes keep their own logs under the state folder).
    for name in ("redshift_optimizer", "botocore", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR if name == "urllib3" else logging.WARNING)
    STATE.mkdir(parents=True, exist_ok=True)
    moto = services.MotoServer(services.free_port(), Path(tempfile.mkdtemp()) / "aws.log").start()
    os.environ.update(services.aws_environment(moto.url))
    services.provision_aws(moto.url, services.DEMO_SETTINGS["bucket"],
                           [services.SCHEMA_CHANGE_TOPIC, services.ALERTS_TOPIC], services.HISTORY_TABLE)
    postgres = LocalPostgres(STATE / "postgres", port=0)
    was_running = postgres.running_port() is not None
    try:
        bench_history(moto.url)
        postgres.start()
        bench_optimize(postgres, moto.url)
    finally:
        if not was_running:
            postgres.stop()
        moto.stop()


if __name__ == "__main__":
    main()
