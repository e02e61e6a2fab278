"""The 22 TPC-H queries (Redshift dialect): all parse, analyse with and without a snapshot,
and any rewrite offered parses and keeps the output signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from redshift_optimizer.analysis import analyze
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.findings import Verification

TPCH = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "tpch"
QUERIES = sorted(TPCH.glob("q*.sql"))


def test_the_22_queries_are_there():
    assert [p.stem for p in QUERIES] == [f"q{n:02d}" for n in range(1, 23)]


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_tpch_query_analyses(path, tpch_snapshot):
    sql = path.read_text()
    bare = analyze(sql)
    assert bare.query_hash == fingerprint(sql).query_hash
    with_snapshot = analyze(sql, snapshot=tpch_snapshot)
    for result in (bare, with_snapshot):
        for finding in result.findings:
            assert finding.line is not None and finding.message and finding.fix
        if result.optimized_query:
            assert result.verification in (Verification.PARSED, Verification.SIGNATURE)


def test_tpch_findings_on_the_demo_design(tpch_snapshot):
    """A few facts of the TPC-H text against the demo design (lineitem DISTKEY l_shipdate,
    orders DISTKEY o_salesrep_id): the joins of the two large tables are not collocated."""
    by_query = {p.stem: {f.code for f in analyze(p.read_text(), snapshot=tpch_snapshot).findings} for p in QUERIES}
    assert "Q011" in by_query["q03"]  # orders JOIN lineitem on orderkey, dist key of neither
    assert "Q012" in by_query["q17"]  # correlated AVG(l_quantity) per part
    assert "Q005" in by_query["q16"]  # ps_suppkey NOT IN (SELECT s_suppkey ...)
    assert "Q013" not in by_query["q15"]  # revenue0, an aggregate, reused as a common subexpression
    assert "Q009" not in by_query["q19"]  # every OR branch filters lineitem
