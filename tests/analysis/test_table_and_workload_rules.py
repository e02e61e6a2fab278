"""T and C rules: per-rule cases (cases/Tnnn.yaml, cases/Cnnn.yaml), each `fire` case a
table (or a workload) that must report the rule, each `pass` case one that must not; then
what the cases cannot say. Tables start from a healthy design and change one thing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redshift_optimizer.analysis import review_schema
from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQueries
from redshift_optimizer.rules.catalogue import rules
from redshift_optimizer.rules.settings import AnalysisSettings

CASES = Path(__file__).parent / "cases"


def healthy(**changes) -> dict:
    table = {
        "table_name": "public.facts", "row_count": 50_000_000, "size_mb": 2000, "dist_style": "KEY",
        "dist_key": "account_id", "sort_keys": ["day"], "sort_key_type": "COMPOUND", "skew_rows": 1.2,
        "unsorted_pct": 1.0, "stats_off": 0.0, "estimated_visible_rows": 50_000_000,
        "vacuum_sort_benefit": 0.0, "encoded": True, "max_varchar": 64, "primary_key": ["id"],
        "columns": [
            {"name": "id", "type": "BIGINT", "encoding": "AZ64", "nullable": False, "dist_key": False, "sort_key_position": 0},
            {"name": "account_id", "type": "INTEGER", "encoding": "AZ64", "nullable": False, "dist_key": True, "sort_key_position": 0},
            {"name": "day", "type": "DATE", "encoding": "RAW", "nullable": False, "dist_key": False, "sort_key_position": 1},
            {"name": "note", "type": "VARCHAR(4000)", "encoding": "ZSTD", "nullable": True, "dist_key": False, "sort_key_position": 0},
            {"name": "amount", "type": "DECIMAL(12,2)", "encoding": "AZ64", "nullable": True, "dist_key": False, "sort_key_position": 0},
        ],
    }
    for key, value in changes.items():
        if key == "column":
            for name, updates in value.items():
                next(c for c in table["columns"] if c["name"] == name).update(updates)
        else:
            table[key] = value
    return table


def snap(*tables) -> SchemaSnapshot:
    return SchemaSnapshot.model_validate({
        "extract_timestamp": "2026-05-21T02:00:00Z", "schema_version": "v",
        "source": {"engine": "redshift", "database": "dev"}, "tables": list(tables)})


def profile(nulls=0.0, max_length=3000) -> DataProfile:
    return DataProfile.model_validate({"extract_timestamp": "2026-05-21T02:00:00Z", "tables": [{
        "table_name": "public.facts", "row_count": 50_000_000, "columns": [
            {"name": "account_id", "type": "INTEGER", "null_ratio": nulls, "null_count": int(nulls * 5e7)},
            {"name": "note", "type": "VARCHAR(4000)", "max_length": max_length},
        ]}]})


def codes(review) -> list[str]:
    return [f.code for f in review.findings]


def test_healthy_table_has_no_finding():
    assert codes(review_schema(snap(healthy()), profile=profile())) == []


def test_metrics_the_engine_cannot_give_keep_rules_silent():
    table = healthy(skew_rows=None, stats_off=None, unsorted_pct=None, vacuum_sort_benefit=None,
                    estimated_visible_rows=None, dist_style=None)
    assert codes(review_schema(snap(table))) == []


def window(*queries, hours=24) -> SlowQueries:
    end = "2026-05-21T00:00:00Z" if hours == 24 else "2026-05-20T12:00:00Z"
    return SlowQueries.model_validate({
        "window_start": "2026-05-20T00:00:00Z", "window_end": end, "threshold_ms": 5000,
        "source_view": "SYS_QUERY_HISTORY", "queries": [
            {"query_hash": f"h{i}", "fingerprint": q.get("query_text", "select ?"), "executions": 1,
             "query_text": "SELECT 1", **q} for i, q in enumerate(queries)]})


DIM = healthy(table_name="public.dim", row_count=100_000, estimated_visible_rows=100_000, dist_style="EVEN", dist_key=None, size_mb=10)


def _cases():
    for path in sorted([*CASES.glob("T*.yaml"), *CASES.glob("C*.yaml")]):
        spec = yaml.safe_load(path.read_text())
        for kind in ("fire", "pass"):
            for case in spec.get(kind) or []:
                yield pytest.param(spec["rule"], kind, case, id=f"{spec['rule']}-{kind}-{case['name']}")


def test_every_table_and_workload_rule_has_cases():
    covered = {p.stem for p in [*CASES.glob("T*.yaml"), *CASES.glob("C*.yaml")]}
    assert covered == {r.code for r in [*rules("table"), *rules("workload")]}
    for path in [*CASES.glob("T*.yaml"), *CASES.glob("C*.yaml")]:
        spec = yaml.safe_load(path.read_text())
        assert spec["rule"] == path.stem and spec.get("fire") and spec.get("pass"), path.name


def review_of(case: dict):
    """The review of one case: the healthy table changed as it says, its other tables, its
    profile and its workload."""
    main = healthy(**case.get("table", {}), column=case.get("columns", {}))
    others = [healthy(**{k: v for k, v in t.items() if k != "columns"}, column=t.get("columns", {}))
              for t in case.get("tables", [])]
    queries = window(*case["queries"], hours=case.get("window_hours", 24)) if "queries" in case else None
    return review_schema(snap(main, *others), profile=profile(**case["profile"]) if "profile" in case else None,
                         queries=queries)


@pytest.mark.parametrize(("code", "kind", "case"), list(_cases()))
def test_rule_case(code, kind, case):
    review = review_of(case)
    found = [f for f in review.findings if f.code == code]
    if kind == "pass":
        assert not found, [f.message for f in found]
        return
    assert found, f"{code} did not fire; got {codes(review)}"
    if "found_on" in case:  # the tables it must fire on, each once
        assert sorted(f.table for f in found) == sorted(case["found_on"])
    expected = dict(case.get("finding", {}))
    if code.startswith("T") and "found_on" not in case:
        expected.setdefault("table", "public.facts")
    for finding in found:
        assert finding.message and finding.fix and finding.evidence
        assert {k: getattr(finding, k) for k in expected} == expected, finding.message
        if "severity" in case:
            assert finding.severity.value == case["severity"], finding.message
        for name, value in case.get("saving", {}).items():
            assert finding.saving[name] == value, finding.saving


def test_workload_join_and_filter_columns_drive_t012_t013_t003():
    text = ("SELECT d.note, SUM(f.amount) FROM public.facts f JOIN dim d ON d.id = f.id "
            "WHERE f.note = 'x' GROUP BY 1")
    review = review_schema(snap(healthy(), DIM), queries=window({"query_text": text, "executions": 30}))
    t012 = next(f for f in review.table_findings if f.code == "T012")
    assert t012.table == "public.facts" and t012.column == "id"
    assert any(e.value == 30 for e in t012.evidence)
    t013 = next(f for f in review.table_findings if f.code == "T013")
    assert t013.column == "note"
    assert any(f.code == "T003" and f.table == "public.dim" for f in review.table_findings)
    # Joined and filtered on the keys: nothing to say.
    good = ("SELECT SUM(f.amount) FROM public.facts f JOIN public.facts g ON g.account_id = f.account_id "
            "WHERE f.day = '2026-05-01'")
    review = review_schema(snap(healthy()), queries=window({"query_text": good, "executions": 30}))
    assert not {"T012", "T013"} & set(codes(review))


def test_repeated_expensive_query_is_priced():
    q = {"executions": 12, "total_elapsed_ms": 4_000_000, "mean_elapsed_ms": 333_333}
    review = review_schema(snap(healthy()), queries=window(q))
    c001 = next(f for f in review.workload_findings if f.code == "C001")
    assert c001.severity.value == "HIGH" and c001.query_hash == "h0"
    assert c001.saving["seconds_per_day"] == 4000.0
    assert c001.saving["money_per_day"] == round(4000 * AnalysisSettings().price_per_second(), 2)
    half_day = review_schema(snap(healthy()), queries=window(q, hours=12))
    assert next(f for f in half_day.workload_findings if f.code == "C001").saving["seconds_per_day"] == 8000.0
    medium = review_schema(snap(healthy()), queries=window({**q, "total_elapsed_ms": 700_000}))
    assert next(f for f in medium.workload_findings if f.code == "C001").severity.value == "MEDIUM"
    for quiet in ({**q, "executions": 9}, {**q, "total_elapsed_ms": 599_999}):
        assert "C001" not in codes(review_schema(snap(healthy()), queries=window(quiet)))


def test_unused_large_table():
    reads_dim = {"query_text": "SELECT COUNT(*) FROM public.dim"}
    big_dim = {**DIM, "size_mb": 5000}
    review = review_schema(snap(healthy(), big_dim), queries=window(reads_dim))
    unused = [f.table for f in review.workload_findings if f.code == "C002"]
    assert unused == ["public.facts"]
    assert "C002" not in codes(review_schema(snap(healthy(size_mb=1000)), queries=window(reads_dim)))


def test_unparsable_workload_query_is_skipped_not_fatal():
    review = review_schema(snap(healthy()), queries=window({"query_text": "SELEC broken FROM"}))
    assert review.rules_version


FACTS2 = healthy(table_name="public.facts2")


def _workload_finding(review, code, table="public.facts"):
    return next((f for f in review.table_findings if f.code == code and f.table == table), None)


@pytest.mark.parametrize("text", [
    "SELECT SUM(f.amount) FROM public.facts f JOIN public.facts2 g USING (id) WHERE f.day > '2026-01-01'",
    "SELECT f.amount FROM PUBLIC.FACTS F WHERE F.DAY > '2026-01-01' AND EXISTS (SELECT 1 FROM FACTS2 G WHERE G.ID = F.ID)",
    "SELECT f.amount, (SELECT MAX(g.amount) FROM facts2 g WHERE g.id = f.id) FROM facts f WHERE f.day > '2026-01-01'",
])
def test_join_columns_from_using_and_correlated_subqueries_drive_t012(text):
    review = review_schema(snap(healthy(), FACTS2), queries=window({"query_text": text, "executions": 30}))
    for table in ("public.facts", "public.facts2"):
        finding = _workload_finding(review, "T012", table)
        assert finding is not None and finding.column == "id", table


def test_a_self_join_counts_each_execution_once():
    text = "SELECT 1 FROM facts f JOIN facts g ON g.id = f.id WHERE f.day > '2026-01-01'"
    review = review_schema(snap(healthy()), queries=window({"query_text": text, "executions": 7}))
    t012 = _workload_finding(review, "T012")
    assert t012 is not None
    assert next(e.value for e in t012.evidence if e.name == "executions using id") == 7


def test_keys_used_as_often_as_any_other_column_are_not_reported():
    queries = window(
        {"query_text": "SELECT 1 FROM facts f JOIN facts2 g ON g.id = f.id WHERE f.note = 'x'", "executions": 5},
        {"query_text": "SELECT 1 FROM facts f JOIN facts2 g ON g.account_id = f.account_id WHERE f.day = '2026-05-01'",
         "executions": 5},
    )
    review = review_schema(snap(healthy(), FACTS2), queries=queries)
    assert _workload_finding(review, "T012") is None  # id 5 vs account_id (dist key) 5
    assert _workload_finding(review, "T013") is None  # note 5 vs day (sort key) 5


def test_update_and_delete_filters_count_for_t013():
    queries = window({"query_text": "UPDATE facts SET amount = 0 WHERE note = 'a'", "executions": 4},
                     {"query_text": "DELETE FROM public.facts WHERE note = 'b'", "executions": 4})
    t013 = _workload_finding(review_schema(snap(healthy()), queries=queries), "T013")
    assert t013 is not None and t013.column == "note"


def test_a_table_named_in_an_unparsable_query_is_not_unused():
    text = "SELECT note FROM public.facts WHERE day >> >> 1"  # sqlglot cannot parse it
    review = review_schema(snap(healthy(size_mb=5000)), queries=window({"query_text": text}))
    assert "C002" not in codes(review)
    review = review_schema(snap(healthy(size_mb=5000)), queries=window({"query_text": "SELECT 1"}))
    assert "C002" in codes(review)


def test_an_interleaved_sort_key_column_is_a_sort_key_filter():
    table = healthy(sort_keys=["day", "note"], sort_key_type="INTERLEAVED", column={"note": {"sort_key_position": 2}})
    queries = window({"query_text": "SELECT 1 FROM facts WHERE note = 'x'", "executions": 9})
    assert _workload_finding(review_schema(snap(table), queries=queries), "T013") is None
    compound = healthy(sort_keys=["day", "note"], column={"note": {"sort_key_position": 2}})
    assert _workload_finding(review_schema(snap(compound), queries=queries), "T013") is not None


def test_a_semi_join_counts_as_a_join():
    text = "SELECT SUM(amount) FROM facts f WHERE f.day > '2026-01-01' AND f.id IN (SELECT d.id FROM dim d WHERE d.note = 'x')"
    review = review_schema(snap(healthy(), DIM), queries=window({"query_text": text, "executions": 3}))
    assert _workload_finding(review, "T003", "public.dim") is not None
    assert _workload_finding(review, "T012").column == "id"


def test_null_heavy_dist_key_from_counts_only():
    counts = DataProfile.model_validate({"extract_timestamp": "2026-05-21T02:00:00Z", "tables": [{
        "table_name": "public.facts", "row_count": 50_000_000, "columns": [
            {"name": "account_id", "type": "INTEGER", "null_ratio": None, "null_count": 6_000_000}]}]})
    t015 = next(f for f in review_schema(snap(healthy()), profile=counts).findings if f.code == "T015")
    assert any(e.value == 0.12 for e in t015.evidence)


def test_a_table_read_only_by_unload_is_not_unused():
    text = "UNLOAD ('SELECT * FROM public.facts WHERE day > ''2026-01-01''') TO 's3://b/p' IAM_ROLE 'r'"
    review = review_schema(snap(healthy(size_mb=5000)), queries=window({"query_text": text}))
    assert "C002" not in codes(review)


#: Six columns used equally: a process's set order puts them in name order about once in 720.
WIDE_COLUMNS = ["zeta", "alpha", "mu", "beta", "kappa", "omega"]
WIDE = healthy(table_name="public.wide", sort_keys=["day"], columns=[
    {"name": "day", "type": "DATE", "encoding": "RAW", "nullable": False, "dist_key": False, "sort_key_position": 1},
    {"name": "account_id", "type": "INTEGER", "encoding": "AZ64", "nullable": False, "dist_key": True,
     "sort_key_position": 0},
    *({"name": name, "type": "INTEGER", "encoding": "AZ64", "nullable": False, "dist_key": False,
       "sort_key_position": 0} for name in WIDE_COLUMNS),
])


def _usage(finding) -> list[str]:
    return [e.name.removeprefix("executions using ") for e in finding.evidence if e.name.startswith("executions using ")]


def test_equally_used_columns_are_listed_in_name_order():
    joined = "SELECT 1 FROM wide w JOIN wide v ON " + " AND ".join(f"v.{c} = w.{c}" for c in WIDE_COLUMNS)
    filtered = "SELECT 1 FROM wide WHERE " + " AND ".join(f"{c} = 1" for c in WIDE_COLUMNS)
    review = review_schema(snap(WIDE), queries=window({"query_text": joined, "executions": 3},
                                                      {"query_text": filtered, "executions": 3}))
    for code in ("T012", "T013"):
        finding = _workload_finding(review, code, "public.wide")
        assert finding is not None and finding.column == "alpha", code
        assert _usage(finding) == sorted(WIDE_COLUMNS)[:5], code
    # Across statements too: the tie does not go to the column of the first query of the window.
    review = review_schema(snap(WIDE), queries=window(
        {"query_text": "SELECT 1 FROM wide w JOIN wide v ON v.zeta = w.zeta", "executions": 4},
        {"query_text": "SELECT 1 FROM wide w JOIN wide v ON v.beta = w.beta", "executions": 4}))
    assert _workload_finding(review, "T012", "public.wide").column == "beta"
