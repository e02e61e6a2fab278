"""The demo workload: analytic queries over the TPC-H demo tables, run a few times each with
different literals, so the query history has repeated fingerprints to group.

Each ``workload/*.sql`` file is valid Redshift and PostgreSQL SQL once its psycopg2
``%(name)s`` parameters are filled in from ``workload/variants.json``; its first line names the
anti-patterns it carries (``-- anti-patterns: Q003 Q011``) or says ``-- clean``. The files are
always run with a parameter dict, so a literal percent sign would have to be written ``%%``:
LIKE patterns are parameters instead.

    python -m local.demo.workload --dsn postgresql://postgres@127.0.0.1:5432/demo
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from local.demo.statements import execute

WORKLOAD_DIR = Path(__file__).resolve().parent / "workload"
VARIANTS_FILE = WORKLOAD_DIR / "variants.json"
APPLICATION_NAME = "demo-workload"
DEFAULT_REPETITIONS = 3

_HEADER = re.compile(r"^--\s*(?:anti-patterns:\s*(?P<codes>[A-Z0-9 ]+?)|(?P<clean>clean))\s*$")


@dataclass(frozen=True)
class WorkloadQuery:
    """One workload query: its file name, the SQL sent, its anti-patterns, its literal sets."""

    name: str
    sql: str
    anti_patterns: tuple[str, ...]
    variants: tuple[dict, ...]


def workload_queries() -> list[WorkloadQuery]:
    """The workload's queries in file order, each with its parameter variants."""
    variants = json.loads(VARIANTS_FILE.read_text(encoding="utf-8"))
    files = sorted(WORKLOAD_DIR.glob("*.sql"))
    missing = {p.name for p in files} ^ set(variants)
    if missing:
        raise RuntimeError(f"workload files and {VARIANTS_FILE.name} disagree on: {sorted(missing)}")
    return [_read_query(path, variants[path.name]) for path in files]


def run_workload(conn, repetitions: int = DEFAULT_REPETITIONS) -> list[dict]:
    """Run every query ``repetitions`` times, cycling through its variants; one dict per run.

    Each dict has ``query`` (file name), ``repetition``, ``parameters``, ``rows`` (returned),
    ``seconds`` (client-side, including the transfer) and ``anti_patterns``. The session runs
    as application ``demo-workload`` and gets its previous application name back afterwards.
    The literals are inlined by psycopg2 on the client, so the server (and its log) sees
    plain SQL text, as Redshift's query history would.
    """
    queries = workload_queries()
    executions = []
    with conn.cursor() as cur:
        execute(cur, "current_application_name")
        previous_name = cur.fetchone()[0]
        execute(cur, "set_application_name", {"application_name": APPLICATION_NAME})
        try:
            for repetition in range(repetitions):
                for query in queries:
                    params = query.variants[repetition % len(query.variants)]
                    started = time.perf_counter()
                    cur.execute(query.sql, params)
                    # rowcount needs no conversion of the rows to Python objects: the million-row
                    # extraction costs its transfer, not the client's parsing.
                    executions.append(
                        {
                            "query": query.name,
                            "repetition": repetition,
                            "parameters": params,
                            "rows": cur.rowcount,
                            "seconds": round(time.perf_counter() - started, 4),
                            "anti_patterns": list(query.anti_patterns),
                        }
                    )
        finally:
            execute(cur, "set_application_name", {"application_name": previous_name})
    return executions


def summarize(executions: list[dict]) -> list[dict]:
    """Per query: executions, rows of the last run, mean and max seconds."""
    by_query: dict[str, list[dict]] = {}
    for execution in executions:
        by_query.setdefault(execution["query"], []).append(execution)
    return [
        {
            "query": name,
            "anti_patterns": runs[0]["anti_patterns"],
            "executions": len(runs),
            "rows": runs[-1]["rows"],
            "mean_seconds": round(sum(r["seconds"] for r in runs) / len(runs), 3),
            "max_seconds": round(max(r["seconds"] for r in runs), 3),
        }
        for name, runs in by_query.items()
    ]


def _read_query(path: Path, variants: list[dict]) -> WorkloadQuery:
    text = path.read_text(encoding="utf-8")
    header = _HEADER.match(text.splitlines()[0]) if text.strip() else None
    if header is None:
        raise ValueError(f"{path.name}: first line must be '-- anti-patterns: Qnnn ...' or '-- clean'")
    if not variants:
        raise ValueError(f"{path.name}: needs at least one parameter set in {VARIANTS_FILE.name}")
    codes = tuple(header.group("codes").split()) if header.group("codes") else ()
    return WorkloadQuery(
        name=path.name,
        # The header comments stay out of what the warehouse sees: the analyzers must find the
        # anti-patterns themselves, not read them from the query text.
        sql=_without_leading_comments(text),
        anti_patterns=codes,
        variants=tuple(variants),
    )


def _without_leading_comments(text: str) -> str:
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).rstrip().rstrip(";")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the demo workload and print per-query timings."""
    parser = argparse.ArgumentParser(
        prog="python -m local.demo.workload",
        description=(
            "Run the demo workload (local/demo/workload/*.sql) against the demo warehouse as "
            f"application '{APPLICATION_NAME}', each query several times with different "
            "literals, and print per-query timings as JSON."
        ),
        epilog="example: python -m local.demo.workload --dsn postgresql://postgres@127.0.0.1:55432/warehouse --repetitions 1",
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get("DEMO_DSN"),
        help="libpq connection string or URL of the demo database (default: $DEMO_DSN)",
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=DEFAULT_REPETITIONS,
        help=f"how many times each query runs (default {DEFAULT_REPETITIONS})",
    )
    parser.add_argument(
        "--executions", action="store_true", help="print every execution, not the per-query summary"
    )
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("--dsn is required (or set DEMO_DSN)")
    conn = psycopg2.connect(args.dsn)
    conn.autocommit = True
    try:
        started = time.perf_counter()
        executions = run_workload(conn, repetitions=args.repetitions)
        seconds = round(time.perf_counter() - started, 3)
    finally:
        conn.close()
    report = executions if args.executions else summarize(executions)
    json.dump({"seconds": seconds, "queries": report}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
