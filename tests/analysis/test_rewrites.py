"""Each rewrite on its own (tree in, tree out), the pipeline's verification levels, and the
Redshift -> PostgreSQL post-transforms."""

from __future__ import annotations

import sqlglot
import pytest

from redshift_optimizer import rewrite as pipeline
from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.rewrite.signature import signature
from redshift_optimizer.rewrite.transforms import (
    drop_redundant_distinct,
    drop_subquery_order,
    expand_stars,
    explicit_joins,
    sargable_ranges,
)
from redshift_optimizer.transpile import transpile


def tree(sql: str):
    return sqlglot.parse_one(sql, read="redshift")


def sql(expression) -> str:
    return expression.sql(dialect="redshift")


def test_expand_stars_lists_snapshot_columns_in_order(snapshot):
    out = expand_stars(tree("SELECT * FROM public.customers WHERE segment = 'A'"), snapshot)
    assert sql(out) == ("SELECT customer_id, name, segment, signup_date, country_code "
                        "FROM public.customers WHERE segment = 'A'")


def test_expand_qualified_star_keeps_the_other_columns(snapshot):
    out = expand_stars(tree("SELECT c.*, o.total FROM customers c JOIN orders o ON o.customer_id = c.customer_id"), snapshot)
    assert sql(out).startswith("SELECT c.customer_id, c.name, c.segment, c.signup_date, c.country_code, o.total FROM")


def test_expand_star_quotes_names_that_need_it(snapshot):
    out = expand_stars(tree('SELECT * FROM "public"."campaigns"'), snapshot)
    assert '"Campaign Name"' in sql(out)


def test_expand_star_leaves_unknown_tables_and_no_snapshot_alone(snapshot):
    original = tree("SELECT * FROM public.sales s JOIN mystery m ON m.id = s.sale_id")
    assert expand_stars(original, snapshot) == original
    assert expand_stars(tree("SELECT * FROM sales"), None) == tree("SELECT * FROM sales")


def test_explicit_joins_move_each_equality_next_to_its_relation(snapshot):
    out = explicit_joins(tree(
        "SELECT c.name, s.amount FROM customers c, sales s, orders o "
        "WHERE s.customer_id = c.customer_id AND o.order_id = s.order_id AND o.status = 'F'"), snapshot)
    assert sql(out) == (
        "SELECT c.name, s.amount FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id "
        "JOIN orders AS o ON o.order_id = s.order_id WHERE o.status = 'F'")


def test_explicit_joins_leave_a_cartesian_or_unresolved_select_alone(snapshot):
    cartesian = tree("SELECT 1 FROM customers c, orders o WHERE c.segment = 'A'")
    assert explicit_joins(cartesian, snapshot) == cartesian
    unresolved = tree("SELECT 1 FROM t1, t2 WHERE a = b")
    assert explicit_joins(unresolved, None) == unresolved


@pytest.mark.parametrize(("before", "after"), [
    ("DATE_TRUNC('month', sale_date) = '1995-03-01'", "sale_date >= '1995-03-01' AND sale_date < '1995-04-01'"),
    ("DATE_TRUNC('quarter', sale_date) = DATE '1995-10-01'", "sale_date >= '1995-10-01' AND sale_date < '1996-01-01'"),
    ("DATE_TRUNC('year', sale_date) >= '1995-01-01'", "sale_date >= '1995-01-01'"),
    ("DATE_TRUNC('month', sale_date) > '1995-12-01'", "sale_date >= '1996-01-01'"),
    ("DATE_TRUNC('month', sale_date) <= '1995-02-01'", "sale_date < '1995-03-01'"),
    ("EXTRACT(YEAR FROM sale_date) = 1995", "sale_date >= '1995-01-01' AND sale_date < '1996-01-01'"),
    ("EXTRACT(YEAR FROM sale_date) BETWEEN 1994 AND 1995", "sale_date >= '1994-01-01' AND sale_date < '1996-01-01'"),
    ("1995 < EXTRACT(YEAR FROM sale_date)", "sale_date >= '1996-01-01'"),
    ("TRUNC(sale_date) = '1995-03-04'", "sale_date >= '1995-03-04' AND sale_date < '1995-03-05'"),
])
def test_sargable_ranges(snapshot, before, after):
    out = sargable_ranges(tree(f"SELECT sale_id FROM sales WHERE channel = 'web' AND {before}"), snapshot)
    assert sql(out) == f"SELECT sale_id FROM sales WHERE channel = 'web' AND {after}"


@pytest.mark.parametrize("where", [
    "DATE_TRUNC('month', sale_date) = '1995-03-15'",       # not a month start: always false, left alone
    "DATE_TRUNC('month', e.event_ts) = '1995-03-01'",       # TIMESTAMP: DATE_TRUNC ranges only for DATE
    "EXTRACT(MONTH FROM sale_date) = 3",                    # not a range
    "DATE_TRUNC('month', signup_date) = '1995-03-01'",      # not a sort key
    "DATE_TRUNC('month', sale_date) = '1995-03-01' OR channel = 'x'",  # inside an OR
])
def test_sargable_ranges_leave_unprovable_cases(snapshot, where):
    original = tree(f"SELECT 1 FROM sales s JOIN customers c ON c.customer_id = s.customer_id "
                    f"JOIN analytics.events e ON e.user_id = c.customer_id WHERE {where}")
    assert sargable_ranges(original, snapshot) == original


def test_extract_year_on_a_timestamp_sort_key(snapshot):
    out = sargable_ranges(tree("SELECT 1 FROM analytics.events WHERE EXTRACT(YEAR FROM event_ts) = 2026"), snapshot)
    assert sql(out).endswith("WHERE event_ts >= '2026-01-01' AND event_ts < '2027-01-01'")


def test_drop_redundant_distinct():
    out = drop_redundant_distinct(tree("SELECT DISTINCT a, COUNT(*) FROM t GROUP BY a"))
    assert sql(out) == "SELECT a, COUNT(*) FROM t GROUP BY a"
    kept = tree("SELECT DISTINCT COUNT(*) FROM t GROUP BY a")
    assert drop_redundant_distinct(kept) == kept


def test_drop_subquery_order():
    out = drop_subquery_order(tree("WITH x AS (SELECT a FROM t ORDER BY a) SELECT a FROM x ORDER BY a"))
    assert sql(out) == "WITH x AS (SELECT a FROM t) SELECT a FROM x ORDER BY a"
    limited = tree("SELECT a FROM (SELECT a FROM t ORDER BY a LIMIT 5) x")
    assert drop_subquery_order(limited) == limited
    ordered_agg = tree("SELECT LISTAGG(a, ',') FROM (SELECT a FROM t ORDER BY a) x")
    assert drop_subquery_order(ordered_agg) == ordered_agg


def test_transforms_do_not_modify_their_input(snapshot):
    original = tree("SELECT * FROM sales s, customers c WHERE s.customer_id = c.customer_id")
    copy = original.copy()
    for _, _, _, transform in pipeline.PIPELINE:
        transform(original, snapshot)
    assert original == copy


def test_analysis_offers_a_signature_verified_rewrite_and_keeps_findings(snapshot):
    result = analyze("SELECT * FROM sales WHERE DATE_TRUNC('month', sale_date) = '2026-03-01'", snapshot=snapshot)
    assert result.verification is Verification.SIGNATURE
    # The top-level * is not expanded: naming every column changes nothing in the plan.
    assert [r.name for r in result.rewrites] == ["sargable-range"]
    assert result.rewrites[0].verification is Verification.SIGNATURE
    assert "sale_date >= '2026-03-01' AND sale_date < '2026-04-01'" in result.optimized_query
    assert result.optimized_query.startswith("SELECT\n  *")
    assert {"Q001", "Q003"} <= {f.code for f in result.findings}


def test_without_snapshot_a_rewrite_is_only_parsed():
    result = analyze("SELECT DISTINCT a, COUNT(*) FROM t GROUP BY a")
    assert result.verification is Verification.PARSED and result.optimized_query


def test_no_rewrite_for_result_changing_suggestions(snapshot):
    result = analyze("SELECT COUNT(DISTINCT customer_id) FROM sales UNION SELECT 1", snapshot=snapshot)
    assert {"Q006", "Q008"} <= {f.code for f in result.findings}
    assert result.optimized_query is None


def test_a_rewrite_that_changes_the_signature_is_withdrawn(snapshot, monkeypatch):
    def drop_a_column(expression, _snapshot):
        expression = expression.copy()
        expression.set("expressions", expression.expressions[:-1])
        return expression

    monkeypatch.setattr(pipeline, "PIPELINE", [("broken", "Q014", "drops a column", drop_a_column)])
    result = analyze("SELECT DISTINCT sale_id, SUM(amount) FROM sales GROUP BY sale_id", snapshot=snapshot)
    assert result.optimized_query is None
    assert any("withdrawn" in note for note in result.verification_notes)


def test_signature_names_and_types(snapshot):
    assert signature(tree("SELECT s.sale_id, s.amount AS a FROM sales s"), snapshot) == [
        ("sale_id", "BIGINT"), ("a", "DECIMAL(12, 2)")]


@pytest.mark.parametrize(("redshift", "postgres"), [
    ("SELECT LISTAGG(a, ',') WITHIN GROUP (ORDER BY b) FROM t", "SELECT STRING_AGG(a, ',' ORDER BY b) FROM t"),
    ("SELECT APPROXIMATE COUNT(DISTINCT a) FROM t", "SELECT COUNT(DISTINCT a) FROM t"),
    ("SELECT TRUNC(ts), TRUNC(2.5), TRUNC(x, 2) FROM t",
     "SELECT CAST(DATE_TRUNC('DAY', ts) AS DATE), TRUNC(2.5), TRUNC(x, 2) FROM t"),
    ("CREATE TABLE t (a INT ENCODE ZSTD, b DATE) DISTKEY(a) COMPOUND SORTKEY(b)", "CREATE TABLE t (a INT, b DATE)"),
    ("CREATE TABLE t (a INT) DISTSTYLE ALL", "CREATE TABLE t (a INT)"),
])
def test_transpile_closes_sqlglot_gaps(redshift, postgres):
    assert transpile(redshift, "postgres") == postgres


def test_transpile_keeps_numeric_trunc_by_the_snapshot(snapshot):
    assert transpile("SELECT TRUNC(amount) FROM sales", "postgres", snapshot) == "SELECT TRUNC(amount) FROM sales"


def test_distinct_is_kept_when_a_group_key_may_be_an_input_column(snapshot):
    # GROUP BY channel groups by the input column, not by UPPER(channel): 'web' and 'WEB'
    # make two groups whose rows DISTINCT may merge.
    kept = tree("SELECT DISTINCT UPPER(channel) AS channel, COUNT(*) FROM sales GROUP BY channel")
    assert drop_redundant_distinct(kept, snapshot) == kept
    assert drop_redundant_distinct(tree("SELECT DISTINCT UPPER(x) AS x, COUNT(*) FROM t GROUP BY x")) == \
        tree("SELECT DISTINCT UPPER(x) AS x, COUNT(*) FROM t GROUP BY x")
    out = drop_redundant_distinct(tree("SELECT DISTINCT UPPER(channel) AS ch, COUNT(*) FROM sales GROUP BY ch"), snapshot)
    assert sql(out) == "SELECT UPPER(channel) AS ch, COUNT(*) FROM sales GROUP BY ch"


@pytest.mark.parametrize("query", [
    # BETWEEN SYMMETRIC accepts reversed bounds; the range would be empty.
    "SELECT 1 FROM sales WHERE EXTRACT(YEAR FROM sale_date) BETWEEN SYMMETRIC 1996 AND 1994",
    # A UNION column that is DATE in one branch and TIMESTAMP in the other.
    "SELECT 1 FROM (SELECT sale_date AS d FROM sales UNION ALL SELECT event_ts FROM analytics.events) x "
    "WHERE DATE_TRUNC('month', d) = '2026-01-01'",
    # Through a derived column that already wraps the sort key.
    "SELECT 1 FROM (SELECT DATE_TRUNC('month', sale_date) AS m FROM sales) t WHERE m = '2026-01-01'",
])
def test_sargable_ranges_leave_other_shapes_alone(snapshot, query):
    original = tree(query)
    assert sargable_ranges(original, snapshot) == original


def test_expand_stars_leaves_using_and_natural_joins_alone(snapshot):
    # SELECT * lists a USING column once; the qualified expansion would list it twice.
    for query in ("SELECT * FROM customers c JOIN sales s USING (customer_id)",
                  "SELECT * FROM customers c NATURAL JOIN sales s"):
        original = tree(query)
        assert expand_stars(original, snapshot) == original


@pytest.mark.parametrize("query", [
    "SELECT a FROM (SELECT a FROM t ORDER BY a) x LIMIT 5",
    "SELECT TOP 5 a FROM (SELECT a FROM t ORDER BY a) x",
    "SELECT a, ROW_NUMBER() OVER () FROM (SELECT a FROM t ORDER BY a) x",
    "SELECT a, FIRST_VALUE(a) OVER (PARTITION BY b) FROM (SELECT a, b FROM t ORDER BY a) x",
])
def test_drop_subquery_order_keeps_an_order_the_outer_query_relies_on(query):
    original = tree(query)
    assert drop_subquery_order(original) == original


def test_drop_subquery_order_with_an_order_free_window():
    out = drop_subquery_order(tree("SELECT a, SUM(b) OVER (PARTITION BY a) FROM (SELECT a, b FROM t ORDER BY a) x"))
    assert sql(out) == "SELECT a, SUM(b) OVER (PARTITION BY a) FROM (SELECT a, b FROM t) AS x"


@pytest.mark.parametrize("query", [
    "SELECT * FROM customers c, TABLE(fn(c.customer_id)) t WHERE t.k = c.customer_id",
    "SELECT * FROM analytics.events e, e.items i WHERE e.event_ts > '2026-01-01'",
])
def test_expand_stars_needs_every_from_item_listed(snapshot, query):
    # The bare * also returns the columns of the table function / navigated array.
    original = tree(query)
    assert expand_stars(original, snapshot) == original
    assert explicit_joins(original, snapshot) == original


def test_rewrites_record_only_the_transformations_that_changed_something(snapshot):
    # Folding quoted mixed-case names is not a change of any transformation.
    result = analyze('SELECT * FROM public."Campaigns" c WHERE c."CAMPAIGN NAME" LIKE \'%x\'', snapshot=snapshot)
    assert result.rewrites == [] and result.optimized_query is None  # a top-level * alone is no rewrite
    result = analyze("SELECT DISTINCT S.Customer_ID, COUNT(*) FROM Sales S GROUP BY S.Customer_ID", snapshot=snapshot)
    assert [r.name for r in result.rewrites] == ["drop-redundant-distinct"]


def test_explicit_joins_leave_oracle_style_outer_joins_alone(snapshot):
    # "(+)" makes an outer join that exists only in WHERE; JOIN ... ON would make it inner.
    original = tree("SELECT s.amount FROM sales s, customers c WHERE s.customer_id = c.customer_id(+)")
    assert explicit_joins(original, snapshot) == original
