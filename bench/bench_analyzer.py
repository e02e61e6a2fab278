"""Analyzer benchmark: fingerprints per second, and analyze time per query over the TPC-H set
(median and 95th percentile; target median <= 20 ms) beside sqlglot's plain parse + generate
of the same queries in the same run. Prints figures; not a test.

    .venv/bin/python bench/bench_analyzer.py [--repeat 20] [--schema schema.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

import sqlglot  # noqa: E402

from redshift_optimizer.analysis import analyze  # noqa: E402
from redshift_optimizer.fingerprint import fingerprint  # noqa: E402
from redshift_optimizer.models.lake import SchemaSnapshot  # noqa: E402


def queries() -> tuple[str, list[tuple[str, str]]]:
    tpch = sorted((ROOT / "tests" / "fixtures" / "tpch").glob("q*.sql"))
    if tpch:
        return "TPC-H", [(p.stem, p.read_text()) for p in tpch]
    import re

    workload = sorted((ROOT / "local" / "demo" / "workload").glob("*.sql"))
    # Parameters as literals, the way the warehouse sees the text.
    return "demo workload (TPC-H files not found)", [
        (p.stem, re.sub(r"%\(\w+\)s", "'1995-01-01'", p.read_text())) for p in workload
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function, items, repeat: int) -> list[float]:
    """Per-item times (ms): the median of ``repeat`` runs of each item."""
    per_item = []
    for item in items:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            function(item)
            runs.append((time.perf_counter() - started) * 1000)
        per_item.append(statistics.median(runs))
    return per_item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per query (default 20)")
    parser.add_argument("--schema", help="schema snapshot to analyse against (default: TPC-H at scale 10 "
                        "with the demo warehouse's design, tests/analysis/tpch_snapshot.py)")
    parser.add_argument("--no-schema", action="store_true", help="analyse without a snapshot")
    args = parser.parse_args()
    name, items = queries()
    snapshot = None
    if args.schema:
        snapshot = SchemaSnapshot.model_validate(json.loads(Path(args.schema).read_text()))
    elif not args.no_schema:
        from tests.analysis.tpch_snapshot import tpch_snapshot

        snapshot = tpch_snapshot()
    texts = [sql for _, sql in items]
    print(f"sqlglot {sqlglot.__version__}; {len(items)} {name} queries; "
          f"snapshot: {'yes' if snapshot else 'no'}; {args.repeat} runs per query")

    # Fingerprints: the regex fast path over the whole set, many times.
    rounds = max(1, 20_000 // len(texts))
    started = time.perf_counter()
    for _ in range(rounds):
        for sql in texts:
            fingerprint(sql)
    rate = rounds * len(texts) / (time.perf_counter() - started)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"fingerprint:            {rate:>10,.0f} queries/s (mean {mean_chars:,.0f} characters per query)")

    for sql in texts:  # warm caches (imports, sqlglot's compiled tokenizer)
        analyze(sql, snapshot=snapshot)
    plain = timed(lambda sql: sqlglot.parse_one(sql, read="redshift").sql(dialect="redshift"), texts, args.repeat)
    full = timed(lambda sql: analyze(sql, snapshot=snapshot), texts, args.repeat)
    print(f"sqlglot parse+generate: median {statistics.median(plain):6.2f} ms   p95 {percentile(plain, 0.95):6.2f} ms")
    print(f"analyze (rules+rewrite): median {statistics.median(full):6.2f} ms   p95 {percentile(full, 0.95):6.2f} ms"
          f"   (target: median <= 20 ms)")
    slowest = sorted(zip(full, (n for n, _ in items)), reverse=True)[:3]
    print("slowest: " + ", ".join(f"{n} {t:.1f} ms" for t, n in slowest))


if __name__ == "__main__":
    main()
