"""Each rewrite on its own (tree in, tree out), the pipeline's verification levels, and the
Redshift -> PostgreSQL post-transforms."""

from __future__ import annotations

from pathlib import Path

import sqlglot
import pytest

from redshift_optimizer import rewrite as pipeline
from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.rewrite.anti_joins import not_in_to_not_exists
from redshift_optimizer.rewrite.decorrelate import decorrelate_scalar_subqueries
from redshift_optimizer.rewrite.or_joins import or_join_to_union_all
from redshift_optimizer.rewrite.signature import signature
from redshift_optimizer.rewrite.single_pass import single_pass
from redshift_optimizer.rewrite.sort_key_filters import copy_sort_key_filters
from redshift_optimizer.rewrite.transforms import (
    drop_redundant_distinct,
    drop_subquery_order,
    expand_stars,
    explicit_joins,
    sargable_ranges,
)
from redshift_optimizer.rewrite.union_all import disjoint_union_all
from redshift_optimizer.transpile import transpile

TPCH = Path(__file__).resolve().parents[1] / "fixtures" / "tpch"


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


# ------------------------------------------------------------ rewrites that pay (TPC-H design)

@pytest.mark.parametrize(("before", "after"), [
    ("TO_CHAR(l_shipdate, 'YYYY-MM') = '1995-03'", "l_shipdate >= '1995-03-01' AND l_shipdate < '1995-04-01'"),
    ("TO_CHAR(l_shipdate, 'YYYY') = '1995'", "l_shipdate >= '1995-01-01' AND l_shipdate < '1996-01-01'"),
    ("TO_CHAR(l_shipdate, 'YYYY-MM') IN ('1995-03', '1995-04')", "l_shipdate >= '1995-03-01' AND l_shipdate < '1995-05-01'"),
    ("CAST(l_shipdate AS DATE) = '1995-03-04'", "l_shipdate >= '1995-03-04' AND l_shipdate < '1995-03-05'"),
    ("l_shipdate::DATE BETWEEN '1995-03-01' AND '1995-03-31'", "l_shipdate >= '1995-03-01' AND l_shipdate < '1995-04-01'"),
    ("EXTRACT(YEAR FROM l_shipdate) IN (1994, 1996)",
     "((l_shipdate >= '1994-01-01' AND l_shipdate < '1995-01-01') OR (l_shipdate >= '1996-01-01' AND l_shipdate < '1997-01-01'))"),
    ("DATE_TRUNC('month', l_shipdate) IN ('1995-01-01', '1995-02-01')",
     "l_shipdate >= '1995-01-01' AND l_shipdate < '1995-03-01'"),
])
def test_sargable_ranges_common_forms(tpch_snapshot, before, after):
    out = sargable_ranges(tree(f"SELECT 1 FROM tpch.lineitem WHERE l_quantity > 1 AND {before}"), tpch_snapshot)
    assert sql(out) == f"SELECT 1 FROM tpch.lineitem WHERE l_quantity > 1 AND {after}"


@pytest.mark.parametrize("where", [
    "TO_CHAR(l_shipdate, 'YYYY-MM') > '1995-03'",        # text order is not date order past year 9999
    "TO_CHAR(l_shipdate, 'YYYY-MM') = '1995-3'",         # not the format's text: always false
    "TO_CHAR(l_shipdate, 'MM') = '03'",                  # every March: not one range
    "TO_CHAR(l_receiptdate, 'YYYY-MM') = '1995-03'",     # not a sort key
    "EXTRACT(YEAR FROM l_shipdate) IN (1994, l_linenumber)",
    "DATE_TRUNC('month', l_shipdate) IN ('1995-01-15')",
])
def test_sargable_ranges_leave_other_forms_alone(tpch_snapshot, where):
    original = tree(f"SELECT 1 FROM tpch.lineitem WHERE {where}")
    assert sargable_ranges(original, tpch_snapshot) == original


def test_not_in_becomes_not_exists_when_both_sides_are_not_null(tpch_snapshot):
    out = not_in_to_not_exists(tree(
        "SELECT c_name FROM tpch.customer WHERE c_custkey NOT IN (SELECT o_custkey FROM tpch.orders WHERE o_orderdate > '1998-01-01')"),
        tpch_snapshot)
    assert sql(out) == ("SELECT c_name FROM tpch.customer WHERE NOT EXISTS(SELECT 1 FROM tpch.orders "
                        "WHERE o_orderdate > '1998-01-01' AND o_custkey = customer.c_custkey)")
    # A nullable side made NOT NULL by the subquery's own filter.
    out = not_in_to_not_exists(tree(
        "SELECT 1 FROM tpch.customer c WHERE c.c_custkey NOT IN (SELECT o_salesrep_id FROM tpch.orders "
        "WHERE o_salesrep_id IS NOT NULL)"), tpch_snapshot)
    assert "NOT EXISTS(SELECT 1 FROM tpch.orders WHERE NOT o_salesrep_id IS NULL AND o_salesrep_id = c.c_custkey)" in sql(out)


@pytest.mark.parametrize("query", [
    # o_salesrep_id is nullable: one NULL makes NOT IN false for every customer.
    "SELECT 1 FROM tpch.customer WHERE c_custkey NOT IN (SELECT o_salesrep_id FROM tpch.orders)",
    # c_custkey is NOT NULL in customer, but the LEFT JOIN can null it.
    "SELECT 1 FROM tpch.orders o LEFT JOIN tpch.customer c ON c.c_custkey = o.o_custkey "
    "WHERE c.c_custkey NOT IN (SELECT s_suppkey FROM tpch.supplier)",
    # The outer name would be captured by the subquery's own relation of the same alias.
    "SELECT 1 FROM tpch.orders o WHERE o.o_custkey NOT IN (SELECT o.o_custkey FROM tpch.orders o WHERE o.o_orderstatus = 'F')",
    # An aggregate may be NULL.
    "SELECT 1 FROM tpch.customer WHERE c_custkey NOT IN (SELECT MAX(o_custkey) FROM tpch.orders)",
])
def test_not_in_left_alone_without_a_not_null_proof(tpch_snapshot, query):
    original = tree(query)
    assert not_in_to_not_exists(original, tpch_snapshot) == original
    assert not_in_to_not_exists(original, None) == original


def test_single_pass_union_all_of_aggregates(tpch_snapshot):
    out = single_pass(tree(
        "SELECT 'returned' AS kind, COUNT(*) AS n, SUM(l_extendedprice) AS v FROM tpch.lineitem "
        "WHERE l_shipdate >= '1995-01-01' AND l_returnflag = 'R' "
        "UNION ALL SELECT 'late', COUNT(*), SUM(l_extendedprice) FROM tpch.lineitem "
        "WHERE l_shipdate >= '1995-01-01' AND l_receiptdate > l_commitdate"))
    text = sql(out)
    assert text.count("FROM tpch.lineitem") == 1
    assert "COUNT(CASE WHEN (l_returnflag = 'R') THEN 1 END) AS b1_c2" in text
    assert "SUM(CASE WHEN (l_receiptdate > l_commitdate) THEN l_extendedprice END) AS b2_c3" in text
    assert "WHERE l_shipdate >= '1995-01-01' AND ((l_returnflag = 'R') OR (l_receiptdate > l_commitdate))" in text
    assert "CROSS JOIN (SELECT 1 AS branch UNION ALL SELECT 2 AS branch) AS branches" in text
    assert signature(out, tpch_snapshot) == signature(tree(
        "SELECT 'returned' AS kind, COUNT(*) AS n, SUM(l_extendedprice) AS v FROM tpch.lineitem"), tpch_snapshot)


def test_single_pass_union_of_filtered_reads_and_scalar_subqueries():
    out = single_pass(tree(
        "SELECT o_orderkey FROM tpch.orders WHERE o_orderdate = '1995-06-17' AND o_orderpriority = '1-URGENT' "
        "UNION SELECT o_orderkey FROM tpch.orders WHERE o_orderdate = '1995-06-17' AND o_totalprice > 1000 "
        "ORDER BY o_orderkey"))
    assert sql(out) == ("SELECT DISTINCT o_orderkey FROM tpch.orders WHERE o_orderdate = '1995-06-17' AND "
                        "((o_orderpriority = '1-URGENT') OR (o_totalprice > 1000)) ORDER BY o_orderkey")
    out = single_pass(tree(
        "SELECT (SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F') AS f, "
        "(SELECT MAX(o_totalprice) FROM tpch.orders WHERE o_orderstatus = 'O') AS o"))
    assert sql(out) == ("SELECT COUNT(CASE WHEN (o_orderstatus = 'F') THEN 1 END) AS f, "
                        "MAX(CASE WHEN (o_orderstatus = 'O') THEN o_totalprice END) AS o FROM tpch.orders "
                        "WHERE ((o_orderstatus = 'F') OR (o_orderstatus = 'O'))")


@pytest.mark.parametrize("query", [
    # Different tables: no single pass.
    "SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F' UNION ALL SELECT COUNT(*) FROM tpch.lineitem",
    # Rows, not aggregates: UNION ALL keeps a row matching both filters twice.
    "SELECT o_orderkey FROM tpch.orders WHERE o_orderstatus = 'F' UNION ALL SELECT o_orderkey FROM tpch.orders "
    "WHERE o_totalprice > 10",
    # COUNT(DISTINCT) and grouped branches.
    "SELECT COUNT(DISTINCT o_custkey) FROM tpch.orders WHERE o_orderstatus = 'F' UNION ALL "
    "SELECT COUNT(DISTINCT o_custkey) FROM tpch.orders WHERE o_orderstatus = 'O'",
    "SELECT o_custkey, COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F' GROUP BY o_custkey UNION ALL "
    "SELECT o_custkey, COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'O' GROUP BY o_custkey",
    # UNION of different columns.
    "SELECT o_orderkey FROM tpch.orders WHERE o_orderstatus = 'F' UNION SELECT o_custkey FROM tpch.orders",
    # Scalar subqueries next to a FROM.
    "SELECT (SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F'), "
    "(SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'O') FROM tpch.region",
])
def test_single_pass_leaves_other_shapes_alone(query):
    original = tree(query)
    assert single_pass(original) == original


def test_or_join_becomes_union_all_of_equi_joins_without_duplicates(tpch_snapshot):
    out = or_join_to_union_all(tree(
        "SELECT s.s_name, COUNT(*) AS n FROM tpch.supplier s JOIN tpch.customer c "
        "ON c.c_nationkey = s.s_nationkey OR c.c_phone = s.s_phone WHERE c.c_mktsegment = 'A' "
        "GROUP BY s.s_name ORDER BY n DESC"), tpch_snapshot)
    assert sql(out) == (
        "SELECT or_branches.s_name, COUNT(*) AS n FROM ("
        "SELECT s.s_name FROM tpch.supplier AS s JOIN tpch.customer AS c ON c.c_nationkey = s.s_nationkey "
        "WHERE c.c_mktsegment = 'A' UNION ALL "
        "SELECT s.s_name FROM tpch.supplier AS s JOIN tpch.customer AS c ON c.c_phone = s.s_phone "
        "AND NOT COALESCE((c.c_nationkey = s.s_nationkey), FALSE) WHERE c.c_mktsegment = 'A') AS or_branches "
        "GROUP BY or_branches.s_name ORDER BY n DESC")


@pytest.mark.parametrize("query", [
    # A disjunct without an equality: still a nested loop in its branch.
    "SELECT 1 FROM tpch.supplier s JOIN tpch.customer c ON c.c_nationkey = s.s_nationkey OR c.c_acctbal > s.s_acctbal",
    # An outer join: the unmatched rows would come out of each branch.
    "SELECT 1 FROM tpch.supplier s LEFT JOIN tpch.customer c ON c.c_nationkey = s.s_nationkey OR c.c_phone = s.s_phone",
    # A third relation, and * in the output.
    "SELECT 1 FROM tpch.supplier s JOIN tpch.customer c ON c.c_nationkey = s.s_nationkey OR c.c_phone = s.s_phone "
    "JOIN tpch.nation n ON n.n_nationkey = s.s_nationkey",
    "SELECT * FROM tpch.supplier s JOIN tpch.customer c ON c.c_nationkey = s.s_nationkey OR c.c_phone = s.s_phone",
])
def test_or_join_left_alone(tpch_snapshot, query):
    original = tree(query)
    assert or_join_to_union_all(original, tpch_snapshot) == original


def test_correlated_scalar_subquery_becomes_a_grouped_join(tpch_snapshot):
    out = decorrelate_scalar_subqueries(tree(
        "SELECT c.c_name FROM tpch.customer c WHERE c.c_acctbal > (SELECT AVG(p.c_acctbal) FROM tpch.customer p "
        "WHERE p.c_nationkey = c.c_nationkey AND p.c_mktsegment = 'A')"), tpch_snapshot)
    assert sql(out) == (
        "SELECT c.c_name FROM tpch.customer AS c JOIN (SELECT p.c_nationkey AS key_1, AVG(p.c_acctbal) AS value "
        "FROM tpch.customer AS p WHERE p.c_mktsegment = 'A' GROUP BY p.c_nationkey) AS grouped_1 "
        "ON grouped_1.key_1 = c.c_nationkey WHERE c.c_acctbal > grouped_1.value")
    # Comma joins: the grouped table joins in the WHERE (an ON could not see the relations before the comma).
    out = decorrelate_scalar_subqueries(tree(open(TPCH / "q17.sql").read()), tpch_snapshot)
    assert "(SELECT l_partkey AS key_1, 0.2 * AVG(l_quantity) AS value FROM tpch.lineitem GROUP BY l_partkey) AS grouped_1" in sql(out)
    assert sql(out).endswith("AND l_quantity < grouped_1.value AND grouped_1.key_1 = p_partkey")


@pytest.mark.parametrize("query", [
    # COUNT is 0 over an empty group, where the inner join would drop the row.
    "SELECT 1 FROM tpch.customer c WHERE 0 = (SELECT COUNT(*) FROM tpch.orders o WHERE o.o_custkey = c.c_custkey)",
    # COALESCE turns the empty group's NULL into a value.
    "SELECT 1 FROM tpch.customer c WHERE c.c_acctbal > (SELECT COALESCE(AVG(o.o_totalprice), 0) FROM tpch.orders o "
    "WHERE o.o_custkey = c.c_custkey)",
    # Inside an OR: an unknown comparison no longer drops the row.
    "SELECT 1 FROM tpch.customer c WHERE c.c_acctbal > (SELECT AVG(o.o_totalprice) FROM tpch.orders o "
    "WHERE o.o_custkey = c.c_custkey) OR c.c_acctbal < 0",
    # A non-equality correlation.
    "SELECT 1 FROM tpch.customer c WHERE c.c_acctbal > (SELECT AVG(o.o_totalprice) FROM tpch.orders o "
    "WHERE o.o_custkey < c.c_custkey)",
])
def test_correlated_subquery_left_alone_where_the_join_would_change_rows(tpch_snapshot, query):
    original = tree(query)
    assert decorrelate_scalar_subqueries(original, tpch_snapshot) == original


def test_a_join_filter_is_copied_to_the_other_sort_key(tpch_snapshot):
    out = copy_sort_key_filters(tree(
        "SELECT 1 FROM tpch.orders o JOIN tpch.lineitem l ON l.l_shipdate = o.o_orderdate "
        "WHERE o.o_orderdate BETWEEN '1995-03-01' AND '1995-03-02'"), tpch_snapshot)
    assert sql(out) == ("SELECT 1 FROM tpch.orders AS o JOIN tpch.lineitem AS l ON l.l_shipdate = o.o_orderdate "
                        "WHERE o.o_orderdate BETWEEN '1995-03-01' AND '1995-03-02' "
                        "AND l.l_shipdate BETWEEN '1995-03-01' AND '1995-03-02'")
    out = copy_sort_key_filters(tree(
        "SELECT 1 FROM tpch.lineitem l, tpch.supplier s WHERE s.s_suppkey = l.l_suppkey AND l.l_suppkey IN (1, 2)"),
        tpch_snapshot)
    assert sql(out).endswith("AND l.l_suppkey IN (1, 2) AND s.s_suppkey IN (1, 2)")


@pytest.mark.parametrize("query", [
    # The other column is not the leading sort key (lineitem is sorted on l_shipdate).
    "SELECT 1 FROM tpch.orders o JOIN tpch.lineitem l ON l.l_orderkey = o.o_orderkey WHERE o.o_orderkey < 10",
    # An outer join: the copy would remove the preserved side's unmatched rows.
    "SELECT 1 FROM tpch.lineitem l LEFT JOIN tpch.supplier s ON s.s_suppkey = l.l_suppkey WHERE l.l_suppkey = 1",
    # Already filtered there.
    "SELECT 1 FROM tpch.lineitem l JOIN tpch.supplier s ON s.s_suppkey = l.l_suppkey WHERE l.l_suppkey = 1 "
    "AND s.s_suppkey > 0",
    # Another type (INTEGER vs DATE never joins; here BIGINT vs INTEGER).
    "SELECT 1 FROM tpch.lineitem l JOIN tpch.supplier s ON s.s_suppkey = l.l_orderkey WHERE l.l_orderkey = 1",
])
def test_a_join_filter_is_not_copied_where_it_is_not_exact_or_useful(tpch_snapshot, query):
    original = tree(query)
    assert copy_sort_key_filters(original, tpch_snapshot) == original


def test_union_of_disjoint_unique_branches_becomes_union_all():
    out = disjoint_union_all(tree(
        "SELECT 'F' AS s, COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F' "
        "UNION SELECT 'O', COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'O'"))
    assert "UNION ALL" in sql(out)
    out = disjoint_union_all(tree(
        "SELECT o_orderstatus, o_custkey FROM tpch.orders WHERE o_orderstatus = 'F' GROUP BY o_orderstatus, o_custkey "
        "UNION SELECT o_orderstatus, o_custkey FROM tpch.orders WHERE o_orderstatus = 'O' GROUP BY o_orderstatus, o_custkey"))
    assert "UNION ALL" in sql(out)


@pytest.mark.parametrize("query", [
    # Disjoint, but each branch may repeat a row (a declared key is not enforced by Redshift).
    "SELECT 'F', o_custkey FROM tpch.orders WHERE o_orderstatus = 'F' UNION SELECT 'O', o_custkey FROM tpch.orders",
    # Unique, but not provably disjoint.
    "SELECT DISTINCT o_custkey FROM tpch.orders WHERE o_orderstatus = 'F' "
    "UNION SELECT DISTINCT o_custkey FROM tpch.orders WHERE o_orderstatus = 'O'",
    # CHAR comparison ignores trailing blanks: 'F' and 'F ' are the same rows.
    "SELECT DISTINCT o_orderstatus FROM tpch.orders WHERE o_orderstatus = 'F' "
    "UNION SELECT DISTINCT o_orderstatus FROM tpch.orders WHERE o_orderstatus = 'F '",
])
def test_union_left_alone_without_proof_of_disjoint_unique_branches(query):
    original = tree(query)
    assert disjoint_union_all(original) == original


def test_rewrites_are_offered_only_for_the_findings_they_answer(tpch_snapshot):
    # Comma joins alone are written as they are: JOIN ... ON changes nothing in the plan.
    result = analyze("SELECT n_name FROM tpch.nation, tpch.region WHERE n_regionkey = r_regionkey AND r_name = 'ASIA'",
                     snapshot=tpch_snapshot)
    assert result.optimized_query is None and result.rewrites == []
    # Every pipeline step names the finding it answers.
    assert all(code for _, code, _, _ in pipeline.PIPELINE)
    names = [name for name, _, _, _ in pipeline.PIPELINE]
    assert "explicit-joins" not in names and "expand-star" not in names


@pytest.mark.parametrize(("name", "code"), [
    ("decorrelate-subquery", "Q012"), ("not-in-to-not-exists", "Q005"), ("single-pass", "Q018"),
    ("or-join-to-union-all", "Q015"), ("sargable-range", "Q003"),
])
def test_workload_rewrites_answer_their_findings(name, code, tpch_snapshot):
    from tests.analysis.test_demo_workload import workload_cases

    queries = [c.values[0] for c in workload_cases()]
    results = [analyze(q, snapshot=tpch_snapshot) for q in queries]
    fired = [r for r in results if any(w.name == name for w in r.rewrites)]
    assert fired, name
    for result in fired:
        step = next(w for w in result.rewrites if w.name == name)
        assert step.code == code and code in {f.code for f in result.findings}
        assert step.verification is Verification.SIGNATURE and step.cost is None  # no warehouse, no cost


def test_stored_results_from_before_the_adversarial_rung_still_read():
    from redshift_optimizer.models.agents import AgentResult
    from redshift_optimizer.models.findings import AnalysisResult

    old = {"query_hash": "ab", "optimized_query": "SELECT 1", "rules_version": "1",
           "rewrites": [{"name": "explicit-joins", "code": None, "description": "comma joins"}],
           "verification": "equivalent", "verification_notes": []}
    result = AnalysisResult.model_validate(old)
    assert result.verification is Verification.EQUIVALENT and result.cost is None
    assert result.rewrites[0].verification is None and result.rewrites[0].cost is None
    envelope = AgentResult.model_validate({"agent_name": "redshift-query-optimizer", "query_hash": "ab",
                                           "prompt_version": "v1", "verification": "explained"})
    assert envelope.rewrite_cost is None and envelope.verification is Verification.EXPLAINED
    # The new rung ranks above every old one.
    assert max(Verification, key=lambda v: v.rank) is Verification.ADVERSARIAL
    assert AnalysisResult.model_validate_json(result.model_copy(update={"verification": Verification.ADVERSARIAL})
                                              .model_dump_json()).verification is Verification.ADVERSARIAL


def test_single_pass_scalar_subqueries_inside_expressions(tpch_snapshot):
    query = ("SELECT CASE WHEN (SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'F') > 10 "
             "THEN (SELECT AVG(o_totalprice) FROM tpch.orders WHERE o_orderstatus = 'F') END AS b, "
             "(SELECT COUNT(*) FROM tpch.orders WHERE o_orderstatus = 'O') AS o FROM tpch.region WHERE r_regionkey = 1")
    out = single_pass(tree(query), tpch_snapshot)
    assert sql(out) == (
        "SELECT CASE WHEN one_pass.s2 > 10 THEN one_pass.s1 END AS b, one_pass.s3 AS o FROM tpch.region "
        "CROSS JOIN (SELECT AVG(CASE WHEN (o_orderstatus = 'F') THEN o_totalprice END) AS s1, "
        "COUNT(CASE WHEN (o_orderstatus = 'F') THEN 1 END) AS s2, "
        "COUNT(CASE WHEN (o_orderstatus = 'O') THEN 1 END) AS s3 FROM tpch.orders "
        "WHERE ((o_orderstatus = 'F') OR (o_orderstatus = 'O'))) AS one_pass WHERE r_regionkey = 1")
    # Correlated to the outer table, or without the snapshot to tell: left alone.
    correlated = tree("SELECT (SELECT COUNT(*) FROM tpch.orders WHERE o_custkey = c_custkey) AS a, "
                      "(SELECT MAX(o_totalprice) FROM tpch.orders WHERE o_custkey = c_custkey) AS b FROM tpch.customer")
    assert single_pass(correlated, tpch_snapshot) == correlated
    assert single_pass(tree(query), None) == tree(query)
