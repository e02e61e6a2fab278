"""Analyzer benchmark, every figure from one run: fingerprints per second (target >= 50,000);
analyze time per TPC-H query with the snapshot (median and 95th percentile; target median
<= 5 ms) beside sqlglot's plain parse + generate of the same queries; the labelled corpus's
median (tests/corpus, each folder with its snapshot; target <= 15 ms); `lint` over 100 files
in one process, and sqlfluff (Redshift dialect) linting the same files, with our time as a
ratio of theirs (target >= 30x; skipped with a message when sqlfluff is not installed).
Times are CPU time of this process (``time.process_time``): on a shared machine wall time
measures the neighbours, and the analyzer runs in one thread. Prints figures; not a test.

    .venv/bin/python bench/bench_analyzer.py [--repeat 20] [--schema schema.json] [--lint-files 100]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

import sqlglot  # noqa: E402

from redshift_optimizer.analysis import analyze  # noqa: E402
from redshift_optimizer.cli import main as cli_main  # noqa: E402
from redshift_optimizer.fingerprint import fingerprint  # noqa: E402
from redshift_optimizer.models.lake import SchemaSnapshot  # noqa: E402
from redshift_optimizer.sql.parsing import SqlInputError  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


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
            started = time.process_time()
            function(item)
            runs.append((time.process_time() - started) * 1000)
        per_item.append(statistics.median(runs))
    return per_item


def corpus_files() -> list[tuple[Path, SchemaSnapshot | None]]:
    """Every SQL file of the labelled corpus with the snapshot of its folder (none for the
    catalog scripts, which read system tables)."""
    files = []
    for path in sorted(CORPUS.rglob("*.sql")):
        if path.name == "ddl.sql":
            continue
        snapshot_file = next((p / "snapshot.json" for p in path.parents
                              if (p / "snapshot.json").exists() and CORPUS in p.parents), None)
        files.append((path, snapshot_file))
    cache: dict[Path, SchemaSnapshot] = {}
    for snapshot_file in {s for _, s in files if s is not None}:
        cache[snapshot_file] = SchemaSnapshot.model_validate(json.loads(snapshot_file.read_text()))
    return [(path, cache.get(snapshot_file)) for path, snapshot_file in files]


def corpus_median(repeat: int) -> None:
    files = corpus_files() if CORPUS.is_dir() else []
    if not files:
        print(f"corpus:                  skipped ({CORPUS} not found)")
        return
    times, unparsed = [], 0
    for path, snapshot in files:
        sql = path.read_text()
        try:
            analyze(sql, snapshot=snapshot)
        except SqlInputError:
            unparsed += 1
            continue
        times.append(timed(lambda text: analyze(text, snapshot=snapshot), [sql], max(1, repeat // 4))[0])
    print(f"corpus ({len(times)} files):     median {statistics.median(times):6.2f} ms   "
          f"p95 {percentile(times, 0.95):6.2f} ms   (target: median <= 15 ms"
          + (f"; {unparsed} file(s) refused as input" if unparsed else "") + ")")


def lint_files(count: int) -> list[Path]:
    """``count`` SQL files to lint: the corpus's first, then the TPC-H set and the demo
    workload, repeated to the count when there are fewer."""
    pool = [p for p, _ in corpus_files()] if CORPUS.is_dir() else []
    pool += sorted((ROOT / "tests" / "fixtures" / "tpch").glob("q*.sql"))
    pool += sorted((ROOT / "local" / "demo" / "workload").glob("*.sql"))
    return [pool[n % len(pool)] for n in range(count)]


def lint_comparison(count: int, sqlfluff_too: bool = True) -> None:
    files = [str(p) for p in lint_files(count)]
    started = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cli_main(["lint", "--fail-on", "HIGH", *files])
    ours = time.process_time() - started
    print(f"lint ({len(files)} files, one process): {ours:7.2f} s   ({ours / len(files) * 1000:.1f} ms per file)")
    if not sqlfluff_too:
        print("sqlfluff:                skipped (--no-sqlfluff)")
        return
    try:
        import sqlfluff
        from sqlfluff.core import FluffConfig, Linter
    except ImportError:
        print("sqlfluff:                skipped (not installed: pip install sqlfluff to compare)")
        return
    linter = Linter(config=FluffConfig(overrides={"dialect": "redshift"}))
    started = time.process_time()
    for path in files:
        linter.lint_string(Path(path).read_text(), fname=path)
    theirs = time.process_time() - started
    print(f"sqlfluff {sqlfluff.__version__} (redshift): {theirs:7.2f} s   ({theirs / len(files) * 1000:.1f} ms per file); "
          f"lint is {theirs / ours:.0f}x faster   (target >= 30x)")


def main() -> None:
    global CORPUS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per query (default 20)")
    parser.add_argument("--schema", help="schema snapshot to analyse against (default: TPC-H at scale 10 "
                        "with the demo warehouse's design, tests/analysis/tpch_snapshot.py)")
    parser.add_argument("--no-schema", action="store_true", help="analyse without a snapshot")
    parser.add_argument("--lint-files", type=int, default=100, help="files linted by lint and sqlfluff (default 100)")
    parser.add_argument("--no-sqlfluff", action="store_true", help="skip the sqlfluff comparison (minutes)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus", help="the labelled corpus (default tests/corpus)")
    args = parser.parse_args()
    CORPUS = args.corpus.resolve()
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
    started = time.process_time()
    for _ in range(rounds):
        for sql in texts:
            fingerprint(sql)
    rate = rounds * len(texts) / (time.process_time() - started)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"fingerprint:            {rate:>10,.0f} queries/s (mean {mean_chars:,.0f} characters per query; "
          "target >= 50,000)")

    for sql in texts:  # warm caches (imports, sqlglot's compiled tokenizer)
        analyze(sql, snapshot=snapshot)
    plain = timed(lambda sql: sqlglot.parse_one(sql, read="redshift").sql(dialect="redshift"), texts, args.repeat)
    full = timed(lambda sql: analyze(sql, snapshot=snapshot), texts, args.repeat)
    print(f"sqlglot parse+generate: median {statistics.median(plain):6.2f} ms   p95 {percentile(plain, 0.95):6.2f} ms")
    print(f"analyze (rules+rewrite): median {statistics.median(full):6.2f} ms   p95 {percentile(full, 0.95):6.2f} ms"
          f"   (target: median <= 5 ms)")
    slowest = sorted(zip(full, (n for n, _ in items)), reverse=True)[:3]
    print("slowest: " + ", ".join(f"{n} {t:.1f} ms" for t, n in slowest))
    corpus_median(args.repeat)
    lint_comparison(args.lint_files, not args.no_sqlfluff)


if __name__ == "__main__":
    main()
