"""Evidence and severity of query findings: each names the offending fragment as written, and
where the rule rests on the snapshot, the table, its column and the metric with its value."""

from __future__ import annotations

import pytest

from redshift_optimizer.analysis import analyze


def finding(sql, code, snapshot):
    return next(f for f in analyze(sql, snapshot=snapshot).findings if f.code == code)


def facts(f, kind):
    return {e.name: e.value for e in f.evidence if e.kind == kind}


@pytest.mark.parametrize(("code", "sql", "fragment", "table", "severity"), [
    ("Q001", "SELECT * FROM sales WHERE sale_date > '2026-01-01'", "*", "public.sales", "MEDIUM"),
    ("Q001", "SELECT c.* FROM customers c", "c.*", "public.customers", "LOW"),
    ("Q002", "SELECT 1 FROM sales s CROSS JOIN orders o", "CROSS JOIN orders o", "public.orders", "HIGH"),
    ("Q003", "SELECT 1 FROM sales WHERE TRUNC(sale_date) = '2026-01-01'", "TRUNC(sale_date) = '2026-01-01'",
     "public.sales", "HIGH"),
    ("Q003", "SELECT 1 FROM customers WHERE customer_id + 1 = 5", "customer_id + 1 = 5", "public.customers", "MEDIUM"),
    ("Q004", "SELECT 1 FROM analytics.events WHERE url LIKE '%x' AND event_ts > '2026-01-01'", "url LIKE '%x'",
     "analytics.events", "LOW"),
    ("Q008", "SELECT COUNT(DISTINCT customer_id) FROM sales WHERE sale_date > '2026-01-01'",
     "COUNT(DISTINCT customer_id)", "public.sales", "LOW"),
    ("Q009", "SELECT amount FROM sales s", "sales s", "public.sales", "MEDIUM"),
    ("Q010", "SELECT amount FROM sales WHERE channel = 'x'", "channel = 'x'", "public.sales", "MEDIUM"),
    # Neither side on its dist key: both move.
    ("Q011", "SELECT 1 FROM analytics.events e JOIN orders o ON o.customer_id = e.user_id WHERE e.event_ts > '2026-01-01'",
     "o.customer_id = e.user_id", "public.orders", "HIGH"),
    ("Q012", "SELECT c.name, (SELECT MAX(amount) FROM sales s WHERE s.sale_date > c.signup_date) FROM customers c",
     "(SELECT MAX(amount) FROM sales s WHERE s.sale_date > c.signup_date)", "public.customers", "MEDIUM"),
    ("Q016", "SELECT 1 FROM sales WHERE sale_id = '5' AND sale_date > '2026-01-01'", "sale_id = '5'",
     "public.sales", "MEDIUM"),
    ("Q019", "SELECT 1 FROM sales s JOIN orders o ON s.sale_date > o.order_date", "s.sale_date > o.order_date",
     "public.orders", "HIGH"),
    ("Q019", "SELECT 1 FROM sales s JOIN price_periods p ON s.sale_date BETWEEN p.valid_from AND p.valid_to",
     "s.sale_date BETWEEN p.valid_from AND p.valid_to", "public.price_periods", "MEDIUM"),
])
def test_evidence_names_fragment_table_and_metric(snapshot, code, sql, fragment, table, severity):
    f = finding(sql, code, snapshot)
    assert f.severity.value == severity
    assert facts(f, "fragment")["query"] == fragment
    assert f.table == table
    if code != "Q012":
        assert facts(f, "metric")[f"{table}.row_count"] > 0


@pytest.mark.parametrize("code, sql", [
    # One side on its dist key: only the other side moves (a star schema's normal join; T012's).
    ("Q011", "SELECT 1 FROM sales s JOIN orders o ON o.order_id = s.order_id WHERE s.sale_date > '2026-01-01'"),
])
def test_what_redshift_already_plans_well_is_not_reported(snapshot, code, sql):
    assert code not in {f.code for f in analyze(sql, snapshot=snapshot).findings}


def test_type_mismatch_names_the_column_and_its_type(snapshot):
    f = finding("UPDATE sales SET amount = 0 WHERE sale_id = '5'", "Q016", snapshot)
    assert (f.table, f.column) == ("public.sales", "sale_id")
    assert facts(f, "column")["public.sales.sale_id"] == "BIGINT"


def test_not_in_through_an_outer_join_is_not_called_null_free(snapshot):
    sql = ("SELECT name FROM customers WHERE customer_id NOT IN (SELECT o.customer_id FROM sales s "
           "LEFT JOIN orders o ON o.order_id = s.order_id WHERE s.sale_date > '2026-01-01')")
    f = finding(sql, "Q005", snapshot)
    assert facts(f, "metric")["subquery side NOT NULL"] is False
    assert "equivalent only when" in f.message
    assert facts(f, "column")["public.orders.customer_id"] == "INTEGER NOT NULL"
