"""Statements of every kind: the analyzer never fails on valid Redshift SQL (only SqlInputError
for input that is not SQL), and the query rules still judge the query inside DML and DDL."""

from __future__ import annotations

import pytest

from redshift_optimizer.analysis import analyze
from redshift_optimizer.sql.parsing import SqlInputError, SqlSyntaxError

VALID = [
    "INSERT INTO public.sales SELECT * FROM public.sales WHERE channel = 'x'",
    "INSERT INTO tgt (a, b) VALUES (1, 2), (3, 4)",
    "CREATE TABLE tgt AS SELECT s.*, c.name FROM sales s JOIN customers c ON c.customer_id = s.customer_id",
    "CREATE TEMP TABLE #t AS SELECT customer_id FROM sales WHERE DATE_TRUNC('day', sale_date) = '2026-01-01'",
    "UPDATE sales s SET amount = o.total FROM orders o WHERE o.order_id = s.order_id",
    "UPDATE sales SET amount = 0",
    "DELETE FROM sales USING orders o WHERE o.order_id = sales.order_id AND o.status = 'X'",
    "MERGE INTO sales USING stage s ON sales.sale_id = s.sale_id WHEN MATCHED THEN UPDATE SET amount = s.amount "
    "WHEN NOT MATCHED THEN INSERT VALUES (s.sale_id, s.customer_id, s.product_id, s.sale_date, s.amount, s.channel, s.order_id)",
    "COPY sales FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS PARQUET",
    "UNLOAD ('SELECT * FROM sales') TO 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r'",
    "VACUUM DELETE ONLY public.sales TO 75 PERCENT",
    "ANALYZE sales",
    "ANALYZE COMPRESSION sales",
    "EXPLAIN SELECT * FROM sales",
    "CALL my_proc(1)",
    "GRANT SELECT ON sales TO user1",
    "REVOKE ALL ON sales FROM user1",
    "CREATE TABLE t (a INT ENCODE ZSTD, b DATE) DISTKEY(a) COMPOUND SORTKEY(b)",
    "CREATE TABLE t (a INT ENCODE AUTO, b INT) DISTSTYLE AUTO SORTKEY AUTO",
    "CREATE TABLE t (a INT) INTERLEAVED SORTKEY (a)",
    "CREATE MATERIALIZED VIEW mv AUTO REFRESH YES AS SELECT customer_id, SUM(amount) FROM sales GROUP BY 1",
    "DROP TABLE IF EXISTS t",
    "TRUNCATE sales",
    "ALTER TABLE sales ALTER DISTKEY order_id",
    "CANCEL 123",
    "ABORT",
    "BEGIN; SELECT 1; COMMIT;",
    "SET search_path TO public",
    "SHOW search_path",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    "SELECT LISTAGG(name, ',') WITHIN GROUP (ORDER BY name) FROM customers",
    "SELECT i FROM analytics.events e, e.items i",
    "SELECT * FROM sales PIVOT (SUM(amount) FOR channel IN ('web', 'app'))",
    "SELECT * FROM sales TABLESAMPLE BERNOULLI (1)",
    "SELECT customer_id FROM sales QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY sale_date DESC) = 1",
    "SELECT 1 FROM t WHERE a = $1",
    'SELECT 1 FROM "Weird Schema"."Weird Table" WHERE "Odd Col" = 1',
    "SELECT * FROM (((SELECT * FROM sales)))",
    "SELECT x FROM (VALUES (1), (2)) AS v(x)",
    "SELECT * FROM sales s1 NATURAL JOIN orders",
    "SELECT 1 FROM sales WHERE (sale_date, channel) IN (SELECT order_date, status FROM orders)",
    "SELECT 1 FROM t1 CROSS JOIN LATERAL (SELECT 1) x",
    "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4",
    "SELECT a, b FROM t GROUP BY ROLLUP (a, b)",
    "MERGE INTO sales USING stage ON sales.sale_id = stage.sale_id REMOVE DUPLICATES",
    "SELECT * FROM sales s JOIN sales s USING (sale_id)",  # an alias written twice
    "WITH a AS (SELECT * FROM a) SELECT * FROM a",
    "SELECT * FROM sales s, LATERAL (SELECT * FROM orders o WHERE o.order_id = s.order_id) x",
    "SELECT 1 FROM sales s JOIN orders o ON (s.order_id, s.customer_id) = (o.order_id, o.customer_id)",
    "SELECT * INTO TEMP t FROM sales WHERE sale_date > '2026-01-01'",
    "WITH x AS (SELECT 1 a) INSERT INTO t SELECT a FROM x",
    "CREATE TABLE t2 DISTKEY(customer_id) SORTKEY(sale_date) AS SELECT * FROM sales WHERE sale_date > '2026-01-01'",
    "UPDATE sales SET amount = (SELECT MAX(total) FROM orders o WHERE o.order_id = sales.order_id)",
    "SELECT COUNT(*) OVER w FROM sales WINDOW w AS (PARTITION BY channel)",
    "SELECT 'it''s', $$dollar$$ /* comment */ -- trailing",
]


@pytest.mark.parametrize("sql", VALID)
def test_valid_statements_are_analysed(sql, snapshot, caplog):
    caplog.set_level("WARNING", logger="redshift_optimizer")
    for snap in (snapshot, None):
        result = analyze(sql, snapshot=snap)
        for finding in result.findings:
            assert finding.code and finding.message and finding.evidence
    assert not [r for r in caplog.records if r.name.startswith("redshift_optimizer")], "a rule failed"


@pytest.mark.parametrize("sql", ["SELEC 1 FROM x", "hello world", "SELECT 1 FROM t WHERE", "-- a comment"])
def test_what_is_not_sql_is_an_input_error(sql):
    with pytest.raises(SqlInputError):
        analyze(sql)


def test_a_broken_query_after_a_utility_statement_is_still_reported():
    with pytest.raises(SqlSyntaxError):
        analyze("ANALYZE COMPRESSION sales; SELECT FROM WHERE x")


def test_dml_statements_are_judged_but_never_rewritten(snapshot):
    result = analyze("DELETE FROM sales WHERE DATE_TRUNC('month', sale_date) = '2026-01-01'", snapshot=snapshot)
    q003 = next(f for f in result.findings if f.code == "Q003")
    assert q003.line == 1 and q003.col == 25
    assert result.optimized_query is None


def test_a_trailing_call_is_part_of_the_fragment(snapshot):
    sql = "SELECT COUNT(*) FROM sales WHERE DATE_TRUNC('month', sale_date) = DATE_TRUNC('month', CURRENT_DATE)"
    q003 = next(f for f in analyze(sql, snapshot=snapshot).findings if f.code == "Q003")
    fragment = next(e.value for e in q003.evidence if e.kind == "fragment")
    assert fragment == "DATE_TRUNC('month', sale_date) = DATE_TRUNC('month', CURRENT_DATE)"


def _with_staging_sales(snapshot):
    from redshift_optimizer.models.lake import SchemaSnapshot

    data = snapshot.model_dump()
    staging = next(dict(t) for t in data["tables"] if t["table_name"] == "public.sales")
    data["tables"].append({**staging, "table_name": "staging.sales", "row_count": 1000})
    return SchemaSnapshot.model_validate(data)


@pytest.mark.parametrize(("sql", "table", "severity"), [
    # A bare name two schemas hold is the one in public (Redshift's default search_path).
    ("SELECT 1 FROM sales WHERE DATE_TRUNC('month', sale_date) = '2026-01-01'", "public.sales", "HIGH"),
    ("SELECT 1 FROM STAGING.SALES WHERE DATE_TRUNC('month', sale_date) = '2026-01-01'", "staging.sales", "MEDIUM"),
    ('SELECT 1 FROM "public"."Sales" s WHERE TRUNC(s.sale_date) = \'2026-01-01\'', "public.sales", "HIGH"),
])
def test_names_resolve_against_the_snapshot(snapshot, sql, table, severity):
    q003 = next(f for f in analyze(sql, snapshot=_with_staging_sales(snapshot)).findings if f.code == "Q003")
    assert (q003.table, q003.severity.value) == (table, severity)


def test_tables_missing_from_the_snapshot_keep_snapshot_rules_silent(snapshot):
    sql = ("SELECT * FROM nowhere n JOIN elsewhere e ON e.id = n.id::varchar "
           "WHERE DATE_TRUNC('month', n.day) = '2026-01-01' AND n.code LIKE '%x' AND e.k = '1'")
    codes = {f.code for f in analyze(sql, snapshot=snapshot).findings}
    assert not codes & {"Q003", "Q004", "Q008", "Q009", "Q010", "Q011", "Q016", "Q018"}


def test_a_failing_rule_is_skipped_not_fatal(snapshot, monkeypatch, caplog):
    from redshift_optimizer.rules import catalogue
    from redshift_optimizer.rules.base import Rule

    def broken(_ctx):
        raise RuntimeError("defect")
        yield  # pragma: no cover

    rule = catalogue.CATALOGUE["Q001"]
    monkeypatch.setitem(catalogue.CATALOGUE, "Q001", Rule(**{**rule.__dict__, "check": broken}))
    result = analyze("SELECT * FROM sales WHERE TRUNC(sale_date) = '2026-01-01'", snapshot=snapshot)
    assert "Q003" in {f.code for f in result.findings}
    assert "Q001" not in {f.code for f in result.findings}
    assert any("Q001" in r.getMessage() for r in caplog.records)


def test_any_interleaved_sort_key_column_counts_as_the_sort_key_filter(snapshot):
    from redshift_optimizer.models.lake import SchemaSnapshot

    data = snapshot.model_dump()
    next(t for t in data["tables"] if t["table_name"] == "analytics.events")["sort_key_type"] = "INTERLEAVED"
    interleaved = SchemaSnapshot.model_validate(data)
    codes = lambda sql, snap: {f.code for f in analyze(sql, snapshot=snap).findings}  # noqa: E731
    assert "Q010" not in codes("SELECT 1 FROM analytics.events WHERE event_type = 'x'", interleaved)
    assert "Q010" in codes("SELECT 1 FROM analytics.events WHERE event_type = 'x'", snapshot)
    assert "Q010" in codes("SELECT 1 FROM analytics.events WHERE url = 'x'", interleaved)


def test_generated_sql_with_a_long_or_chain_is_judged_by_every_rule(snapshot, caplog):
    caplog.set_level("WARNING", logger="redshift_optimizer")
    sql = "SELECT 1 FROM sales WHERE " + " OR ".join(f"channel = 'c{i}'" for i in range(1200))
    assert "Q010" in {f.code for f in analyze(sql, snapshot=snapshot).findings}
    assert not [r for r in caplog.records if r.name.startswith("redshift_optimizer")]


def test_positions_after_a_utility_statement_are_positions_in_the_script(snapshot):
    result = analyze("SELECT 1;\nANALYZE COMPRESSION sales;\nSELECT * FROM sales", snapshot=snapshot)
    q001 = next(f for f in result.findings if f.code == "Q001")
    assert (q001.line, q001.col) == (3, 8)
    assert next(e.value for e in q001.evidence if e.kind == "fragment") == "*"


@pytest.mark.parametrize(("sql", "col"), [
    ("UNLOAD ('SELECT sale_id FROM sales WHERE channel = ''web'' AND TRUNC(sale_date) = ''2026-01-01''') "
     "TO 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r'", 64),
    ("EXPLAIN VERBOSE SELECT sale_id FROM sales WHERE TRUNC(sale_date) = '2026-01-01'", 49),
])
def test_the_query_inside_unload_and_explain_is_judged(snapshot, sql, col):
    result = analyze(sql, snapshot=snapshot)
    q003 = next(f for f in result.findings if f.code == "Q003")
    assert (q003.line, q003.col) == (1, col)
    assert sql[col - 1:].startswith("TRUNC(sale_date)")
    assert result.optimized_query is None


def test_an_explain_of_an_earlier_statement_is_placed_at_its_own_line(snapshot):
    # The EXPLAIN repeats the first statement's text: its findings are at its own line.
    query = "SELECT sale_id FROM sales WHERE TRUNC(sale_date) = '2026-01-01'"
    result = analyze(f"{query};\n\nEXPLAIN\n{query};", snapshot=snapshot)
    assert sorted(f.line for f in result.findings if f.code == "Q003") == [1, 4]


def test_judging_a_query_leaves_its_tree_intact(snapshot):
    import sqlglot
    from sqlglot import exp

    from redshift_optimizer.analysis import query_findings
    from redshift_optimizer.rules.query_context import QueryContext

    sql = ("SELECT 1 FROM customers c, orders o, sales s WHERE c.customer_id IN (o.customer_id) "
           "AND (s.order_id, s.customer_id) = (o.order_id, o.customer_id) AND o.order_date > '2026-01-01'")
    tree = sqlglot.parse_one(sql, read="redshift")
    query_findings(QueryContext(sql, tree, snapshot))
    for node in tree.walk():
        for child in node.iter_expressions():
            assert child.parent is node, child.sql()
