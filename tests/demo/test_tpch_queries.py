"""The 22 TPC-H queries used as fixtures: Redshift dialect, and runnable on the demo tables."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

TPCH_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "tpch"
QUERY_FILES = sorted(TPCH_DIR.glob("q*.sql"))


def test_all_22_queries_are_there():
    assert [p.name for p in QUERY_FILES] == [f"q{n:02d}.sql" for n in range(1, 23)]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_parses_as_redshift(path):
    tree = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="redshift")

    assert isinstance(tree, (sqlglot.exp.Select, sqlglot.exp.Union))
    assert {t.db for t in tree.find_all(sqlglot.exp.Table) if t.name != "revenue0"} == {"tpch"}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_runs_on_the_demo_tables_as_written_and_transpiled(path, tiny_warehouse, demo_conn):
    text = path.read_text(encoding="utf-8")
    transpiled = sqlglot.transpile(text, read="redshift", write="postgres")[0]

    with demo_conn.cursor() as cur:
        cur.execute(text)
        as_written = cur.fetchall()
        cur.execute(transpiled)
        assert cur.fetchall() == as_written
