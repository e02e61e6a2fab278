"""The share of rows a filter keeps, from the data profile, and Q010's use of it: a table whose
only filters keep most of its rows is no case for another sort key."""

from __future__ import annotations

import pytest
import sqlglot

from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.lake import ColumnProfile, DataProfile, TableProfile
from redshift_optimizer.rules.selectivity import kept_share

PROFILE = DataProfile(extract_timestamp="2026-12-01T00:00:00Z", tables=[TableProfile(
    table_name="public.sales", row_count=50_000_000, columns=[
        ColumnProfile(name="amount", type="numeric(12,2)", min="-999.99", max="9999.99"),
        ColumnProfile(name="channel", type="varchar(16)", distinct_estimate=4),
        ColumnProfile(name="sale_date", type="date", min="2024-01-01", max="2026-12-31"),
        ColumnProfile(name="order_id", type="bigint", distinct_estimate=40_000_000, min="1", max="x"),
    ])])


def share(condition: str, column: str) -> float | None:
    predicate = sqlglot.parse_one(f"SELECT 1 FROM sales WHERE {condition}", read="redshift").args["where"].this
    return kept_share(PROFILE, "public.sales", column, predicate)


@pytest.mark.parametrize(("condition", "column", "expected"), [
    ("amount > 0.00", "amount", 9999.99 / 10999.98),
    ("0 < amount", "amount", 9999.99 / 10999.98),
    ("amount <= -500", "amount", 499.99 / 10999.98),
    ("amount BETWEEN 0 AND 1099.998", "amount", 0.1),
    ("amount > -5000", "amount", 1.0),
    ("channel = 'web'", "channel", 0.25),
    ("channel IN ('web', 'app', 'store')", "channel", 0.75),
    ("sale_date >= DATE '2026-12-01'", "sale_date", 30 / 1095),
    ("sale_date >= '2026-12-01'", "sale_date", 30 / 1095),
])
def test_the_share_a_comparison_with_constants_keeps(condition, column, expected):
    assert share(condition, column) == pytest.approx(expected)


@pytest.mark.parametrize(("condition", "column"), [
    ("amount > order_id", "amount"),  # another column
    ("order_id > 5", "order_id"),  # a maximum that is no number
    ("customer_id = 3", "customer_id"),  # a column the profile does not hold
    ("channel LIKE 'w%'", "channel"),
])
def test_what_the_profile_cannot_tell_is_unknown(condition, column):
    assert share(condition, column) is None


def q010(sql: str, snapshot, profile=None):
    return [f for f in analyze(sql, snapshot=snapshot, profile=profile).findings if f.code == "Q010"]


def test_a_filter_that_keeps_most_rows_is_no_case_for_a_sort_key(snapshot):
    sql = "SELECT COUNT(*) FROM sales WHERE amount > 0.00"
    assert q010(sql, snapshot)  # without a profile the share is unknown: reported
    assert not q010(sql, snapshot, PROFILE)  # nine rows in ten kept: no sort key would skip much
    assert q010("SELECT COUNT(*) FROM sales WHERE amount > 9000", snapshot, PROFILE)
    assert q010("SELECT COUNT(*) FROM sales WHERE amount > 0 AND channel = 'web'", snapshot, PROFILE)
