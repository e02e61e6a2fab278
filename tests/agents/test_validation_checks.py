"""The data-validation agent's V checks, run as SQL in the local warehouse: each rule's
cases (tests/analysis/cases/Vnnn.yaml) on the tables their set-up creates, then a table with
every known defect at once: load counts and checksums against manifests, duplicate keys,
null-ratio and range drift against a previous profile, freshness."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from redshift_optimizer.agents.validation import V_RULES, Limits, ValidationPlan, validate_table
from redshift_optimizer.models.lake import ColumnProfile, EtlManifest, TableProfile
from redshift_optimizer.rules.catalogue import rules

pytestmark = pytest.mark.stack

REFERENCE = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)
CASES = Path(__file__).resolve().parents[1] / "analysis" / "cases"
KINDS = {"fire": "failed", "pass": "passed", "skip": "skipped"}


def _specs():
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(CASES.glob("V*.yaml"))}


def _cases():
    for code, spec in _specs().items():
        for kind in KINDS:
            for case in spec.get(kind) or []:
                yield pytest.param(code, kind, case, id=f"{code}-{kind}-{case['name']}")


def test_every_validation_rule_has_cases():
    specs = _specs()
    assert set(specs) == {r.code for r in rules("validation")} == set(V_RULES)
    for code, spec in specs.items():
        assert spec["rule"] == code and spec.get("fire") and spec.get("pass") and spec.get("setup"), code


def _matches(actual, expected) -> bool:
    """``expected``'s fields (recursively for objects) are those of ``actual``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and _matches(actual[k], v) for k, v in expected.items())
    return actual == expected


@pytest.fixture()
def case_schema(pg, demo_warehouse, request):
    """The schema of one rule's cases (its code in lower case), created by its set-up."""
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot

    code = request.node.callspec.params["code"]
    schema = code.lower()
    with pg.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};")
        cur.execute(_specs()[code]["setup"])
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
        for (name,) in cur.fetchall():
            cur.execute(f"ANALYZE {schema}.{name}")
    yield extract_schema_snapshot(demo_warehouse, REFERENCE, [schema])
    with pg.cursor() as cur:
        cur.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.parametrize(("code", "kind", "case"), list(_cases()))
def test_rule_case(code, kind, case, case_schema, demo_warehouse):
    table = case_schema.table(case["table"])
    assert table is not None, case["table"]
    plan = ValidationPlan(
        table=table, primary_key=case.get("primary_key", []),
        manifests=[EtlManifest(table=case["table"], loaded_at="2026-03-01T01:00:00Z", **m)
                   for m in case.get("manifests", [])],
        previous=TableProfile.model_validate(case["previous"]) if "previous" in case else None,
        previous_date="2026-02-28" if "previous" in case else None,
        freshness_column=case.get("freshness_column"), freshness_sla_hours=case.get("freshness_sla_hours"),
    )
    result = validate_table(demo_warehouse, plan, Limits(**case.get("limits", {})), REFERENCE)
    checks = by_code(result, code)
    findings = [f for f in result.findings if f.code == code]
    assert checks, f"{code} made no check; made {[(c.code, c.status) for c in result.checks]}"
    statuses = [c.status for c in checks]
    if kind != "fire":
        assert set(statuses) == {KINDS[kind]}, [(c.status, c.detail) for c in checks]
        assert not findings, [f.message for f in findings]
        if "detail" in case:
            assert all(case["detail"] in c.detail for c in checks), [c.detail for c in checks]
        return
    failed = [c for c in checks if c.status == "failed"]
    assert failed, [(c.status, c.detail) for c in checks]
    assert _matches(failed[0].model_dump(), case.get("check", {})), failed[0].model_dump()
    assert len(findings) == len(failed)
    for finding in findings:
        assert finding.severity == V_RULES[code].default_severity and finding.title == V_RULES[code].title
        assert finding.table == case["table"] and finding.message and finding.evidence and finding.fix


@pytest.fixture()
def payments(pg, demo_warehouse):
    """vtest.payments: load L1 (100 rows, 3 duplicated ids, 39 null channels, amounts 1..100
    plus two of 10,000) and load L2 (20 rows); newest payment 2026-02-27."""
    from redshift_optimizer.catalog.snapshot import extract_schema_snapshot

    with pg.cursor() as cur:
        cur.execute("""
            DROP SCHEMA IF EXISTS vtest CASCADE; CREATE SCHEMA vtest;
            CREATE TABLE vtest.payments (payment_id BIGINT, load_id VARCHAR(32), amount NUMERIC(12,2),
                                         channel VARCHAR(16), paid_at TIMESTAMP);
            INSERT INTO vtest.payments
            SELECT g, 'L1', CASE WHEN g IN (7, 8) THEN 10000 ELSE g END,
                   CASE WHEN g % 5 IN (0, 1) THEN NULL ELSE 'web' END,
                   TIMESTAMP '2026-02-20 00:00:00' + (g || ' hours')::interval
            FROM generate_series(1, 97) g;
            INSERT INTO vtest.payments VALUES (1, 'L1', 1, 'web', '2026-02-20'), (2, 'L1', 2, 'app', '2026-02-20'),
                                              (3, 'L1', 3, 'app', '2026-02-20');
            INSERT INTO vtest.payments SELECT 1000 + g, 'L2', 5, 'app', TIMESTAMP '2026-02-27 00:00:00'
            FROM generate_series(1, 20) g;
            CREATE TABLE vtest.refunds (refund_id BIGINT, amount NUMERIC(12,2));
            INSERT INTO vtest.refunds SELECT g, 1 FROM generate_series(1, 10) g;
            ANALYZE vtest.payments; ANALYZE vtest.refunds;
        """)
    snapshot = extract_schema_snapshot(demo_warehouse, REFERENCE, ["vtest"])
    yield snapshot
    with pg.cursor() as cur:
        cur.execute("DROP SCHEMA vtest CASCADE")


def manifest(load_id: str, rows: int, **checksums: str) -> EtlManifest:
    return EtlManifest(table="vtest.payments", load_id=load_id, loaded_at="2026-03-01T01:00:00Z",
                       row_count=rows, checksums=checksums, primary_key=["payment_id"])


def by_code(result, code: str, status: str | None = None):
    return [c for c in result.checks if c.code == code and (status is None or c.status == status)]


def test_every_defect_is_found_with_its_evidence(payments, demo_warehouse):
    table = payments.table("vtest.payments")
    sum_l1 = sum(10000 if g in (7, 8) else g for g in range(1, 98)) + 1 + 2 + 3
    previous = TableProfile(table_name="vtest.payments", row_count=100, columns=[
        ColumnProfile(name="channel", type="VARCHAR(16)", null_ratio=0.0),
        ColumnProfile(name="amount", type="DECIMAL(12,2)", null_ratio=0.0, min="1", max="100"),
        ColumnProfile(name="payment_id", type="BIGINT", null_ratio=0.0, min="1", max="1020"),
    ])
    plan = ValidationPlan(
        table=table, previous=previous, previous_date="2026-02-28", primary_key=["payment_id"],
        manifests=[manifest("L1", 100, amount=f"sum:{sum_l1}"),
                   manifest("L2", 25, amount="sum:125.00", channel="md5:abc")],
        freshness_column="paid_at", freshness_sla_hours=24,
    )
    result = validate_table(demo_warehouse, plan, Limits(), REFERENCE)

    v001 = {c.detail.split(" ")[1]: c for c in by_code(result, "V001")}
    assert v001["L1"].status == "passed" and v001["L1"].observed == 100
    assert v001["L2"].status == "failed" and (v001["L2"].observed, v001["L2"].expected) == (20, 25)
    v006 = by_code(result, "V006")
    assert [c.status for c in v006 if c.column == "amount"] == ["passed", "failed"]
    assert by_code(result, "V006", "skipped")[0].column == "channel", "an md5 checksum cannot be computed"

    v002 = by_code(result, "V002")[0]
    assert v002.status == "failed" and v002.observed == {"duplicated_keys": 3, "extra_rows": 3}

    v003 = {c.column: c for c in by_code(result, "V003")}
    assert v003["channel"].status == "failed" and v003["channel"].observed == pytest.approx(39 / 120, abs=1e-6)
    assert v003["amount"].status == "passed"
    v005 = {c.column: c for c in by_code(result, "V005")}
    assert v005["amount"].status == "failed", "10,000 is far outside 1..100"
    assert v005["payment_id"].status == "passed"

    v004 = by_code(result, "V004")[0]
    assert v004.status == "failed" and v004.observed["age_hours"] == pytest.approx(72.0)

    codes = sorted({f.code for f in result.findings})
    assert codes == ["V001", "V002", "V003", "V004", "V005", "V006"]
    for finding in result.findings:
        assert finding.table == "vtest.payments" and finding.evidence and finding.fix
    assert {f.severity.value for f in result.findings if f.code in ("V001", "V002", "V006")} == {"HIGH"}


def test_a_clean_table_passes_and_without_a_load_column_the_whole_table_is_compared(payments, demo_warehouse):
    table = payments.table("vtest.refunds")
    plan = ValidationPlan(
        table=table, primary_key=["refund_id"],
        manifests=[EtlManifest(table="vtest.refunds", load_id="R1", loaded_at="2026-03-01T00:00:00Z",
                               row_count=10, checksums={"amount": "sum:10", "refund_id": "count_distinct:10"})],
        previous=TableProfile(table_name="vtest.refunds", columns=[
            ColumnProfile(name="amount", type="DECIMAL(12,2)", null_ratio=0.0, min="1", max="1")]),
    )
    result = validate_table(demo_warehouse, plan, Limits(), REFERENCE)
    assert result.findings == []
    assert {c.status for c in result.checks} == {"passed", "skipped"}
    assert by_code(result, "V005", "skipped"), "a constant column has no range to drift from"
    assert "whole table" in by_code(result, "V001")[0].detail
    assert [c.code for c in result.checks if c.status == "passed"].count("V006") == 2
