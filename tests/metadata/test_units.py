"""The pure pieces of the metadata refresh: parameter binding, catalog parsing, diffs, keys."""

from __future__ import annotations

from datetime import date

import pytest

from redshift_optimizer.catalog.diff import diff_snapshots, summarize_diff
from redshift_optimizer.catalog.snapshot import canonical_type, parse_diststyle, schema_version
from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.models.lake import SchemaSnapshot, run_day_keys
from redshift_optimizer.settings import load_settings
from redshift_optimizer.warehouse import fill_template, parameter_names, to_pyformat


def test_named_parameters_skip_casts_quotes_and_comments():
    sql = "SELECT a::int, ':not' , \"x:y\" -- :nope\nFROM t WHERE b = :b AND c LIKE 'x%' AND d = :d /* :no */ AND e = :b"
    assert parameter_names(sql) == ["b", "d"]
    assert to_pyformat(sql) == (
        "SELECT a::int, ':not' , \"x:y\" -- :nope\nFROM t WHERE b = %(b)s AND c LIKE 'x%%' "
        "AND d = %(d)s /* :no */ AND e = %(b)s"
    )


def test_template_slots_must_all_be_filled():
    assert fill_template("SELECT {{ cols }} FROM {{table}}", {"cols": "a", "table": '"t"'}) == 'SELECT a FROM "t"'
    with pytest.raises(ConfigurationError, match="table"):
        fill_template("SELECT 1 FROM {{ table }}", {})


@pytest.mark.parametrize("value, expected", [
    ("KEY(customer_id)", ("KEY", "customer_id")),
    ("AUTO(KEY(customer_id))", ("AUTO(KEY)", "customer_id")),
    ("EVEN", ("EVEN", None)),
    ("ALL", ("ALL", None)),
    ("AUTO(ALL)", ("AUTO(ALL)", None)),
    ("AUTO(EVEN)", ("AUTO(EVEN)", None)),
    (None, (None, None)),
])
def test_diststyle_parsing(value, expected):
    assert parse_diststyle(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("character varying(256)", "VARCHAR(256)"),
    ("character(1)", "CHAR(1)"),
    ("numeric(12,2)", "DECIMAL(12,2)"),
    ("timestamp without time zone", "TIMESTAMP"),
    ("timestamp with time zone", "TIMESTAMPTZ"),
    ("integer", "INTEGER"),
    ("double precision", "DOUBLE PRECISION"),
])
def test_catalog_types_become_ddl_names(value, expected):
    assert canonical_type(value) == expected


def _snapshot(tables):
    return SchemaSnapshot.model_validate({
        "extract_timestamp": "2026-05-21T02:00:00Z",
        "source": {"engine": "redshift", "database": "analytics"},
        "schema_version": "v",
        "tables": tables,
    })


def test_diff_finds_added_removed_altered_and_design_changes():
    old = _snapshot([
        {"table_name": "public.sales", "dist_style": "KEY", "dist_key": "id",
         "columns": [{"name": "id", "type": "BIGINT"}, {"name": "amount", "type": "DECIMAL(10,2)"},
                     {"name": "gone", "type": "INTEGER"}]},
        {"table_name": "public.old", "columns": []},
    ])
    new = _snapshot([
        {"table_name": "public.sales", "dist_style": "KEY", "dist_key": "customer_id",
         "columns": [{"name": "id", "type": "BIGINT"}, {"name": "amount", "type": "DECIMAL(18,2)"},
                     {"name": "channel", "type": "VARCHAR(32)"}]},
        {"table_name": "public.t2", "columns": []},
    ])
    diff = diff_snapshots(old, new, "2026-05-20", "2026-05-21")
    assert diff.tables_added == ["public.t2"]
    assert diff.tables_removed == ["public.old"]
    assert [(c.table, c.column, c.type) for c in diff.columns_added] == [("public.sales", "channel", "VARCHAR(32)")]
    assert [c.column for c in diff.columns_removed] == ["gone"]
    assert diff.columns_altered[0].changes == {"type": ["DECIMAL(10,2)", "DECIMAL(18,2)"]}
    assert diff.design_changed[0].changes == {"dist_key": ["id", "customer_id"]}
    assert diff.change_count == 6
    text = summarize_diff(diff)
    assert "public.sales.amount (type DECIMAL(10,2) -> DECIMAL(18,2))" in text


def test_identical_snapshots_have_an_empty_diff_and_the_same_version():
    tables = [{"table_name": "public.a", "columns": [{"name": "x", "type": "INTEGER"}]}]
    assert diff_snapshots(_snapshot(tables), _snapshot(tables), "a", "b").is_empty
    assert schema_version(_snapshot(tables).tables) == schema_version(_snapshot(tables).tables)


def test_run_day_keys_follow_the_contract():
    keys = run_day_keys(date(2026, 5, 21))
    assert keys == {
        "schema_latest": "metadata/schema/schema.json",
        "schema_dated": "metadata/schema/schema-20260521.json",
        "schema_diff": "metadata/schema/diff-20260521.json",
        "profile": "metadata/data_profile/profile-20260521.json",
        "slow_queries": "metadata/query_history/2026/05/21/slow_queries.json",
    }


def test_a_bad_setting_is_named():
    with pytest.raises(ConfigurationError, match="slow_query_threshold_ms"):
        load_settings({"slow_query_threshold_ms": "fast"})
    with pytest.raises(ConfigurationError, match="include_dir"):
        load_settings({"include_dir": "/nonexistent"}).resolved_include_dir()


def test_an_unknown_or_empty_setting_fails_at_once_naming_it(monkeypatch):
    from redshift_optimizer.errors import NotRetryable

    with pytest.raises(ConfigurationError, match="setting bukcet: no such setting .did you mean bucket"):
        load_settings({"bukcet": "lake"})
    with pytest.raises(NotRetryable, match="setting bucket: '' is not an S3 bucket name"):
        load_settings({"bucket": ""})
    assert load_settings({"adhoc_max_rows": 5}).adhoc_max_rows == 5, "one Variable serves both DAGs"
    monkeypatch.setenv("REDSHIFT_OPTIMIZER_TOP_QUERYS", "3")
    with pytest.raises(ConfigurationError, match="REDSHIFT_OPTIMIZER_TOP_QUERYS: no such setting"):
        load_settings()


def test_the_analysis_thresholds_are_settings_of_every_source(monkeypatch):
    from redshift_optimizer.pipelines.query_optimization import analysis_settings
    from redshift_optimizer.rules.settings import AnalysisSettings

    assert load_settings().analysis == AnalysisSettings(), "the defaults of the finding codes"
    monkeypatch.setenv("REDSHIFT_OPTIMIZER_ANALYSIS__DIST_SKEW_MAX", "6")
    monkeypatch.setenv("REDSHIFT_OPTIMIZER_ANALYSIS__REPEATED_QUERY_MIN_EXECUTIONS", "4")
    monkeypatch.setenv("REDSHIFT_OPTIMIZER_SMALL_TABLE_ROWS", "11")  # a bare name, as older deployments set it
    variable = {"analysis": {"dist_skew_max": 5, "unused_table_min_mb": 10}, "price_per_rpu_hour": 0.5}
    params = {"analysis": {"unused_table_min_mb": 20}, "large_table_rows": 7}
    settings = load_settings(variable, params)
    got = settings.analysis
    assert (got.dist_skew_max, got.repeated_query_min_executions, got.unused_table_min_mb) == (5.0, 4, 20.0), \
        "params over the Variable over the environment, key by key inside analysis"
    assert (got.large_table_rows, got.small_table_rows, got.price_per_rpu_hour) == (7, 11, 0.5)
    assert got.stats_off_max == AnalysisSettings().stats_off_max
    assert analysis_settings(settings) is got and AnalysisSettings.from_settings(settings) is got, \
        "the rules read the product's thresholds"
    assert load_settings().analysis.dist_skew_max == 6.0


def test_an_unknown_or_bad_threshold_fails_naming_it(monkeypatch):
    with pytest.raises(ConfigurationError,
                       match=r"setting analysis\.dist_skew_mx: no such setting \(did you mean analysis\.dist_skew_max\?\)"):
        load_settings({"analysis": {"dist_skew_mx": 5}})
    with pytest.raises(ConfigurationError, match=r"setting analysis\.dist_skew_max: Input should be greater than 0"):
        load_settings({"dist_skew_max": 0})
    with pytest.raises(ConfigurationError, match="setting large_table_rows is given twice"):
        load_settings({"large_table_rows": 1, "analysis": {"large_table_rows": 2}})
    monkeypatch.setenv("REDSHIFT_OPTIMIZER_ANALYSIS__STATS_OF_MAX", "3")
    with pytest.raises(ConfigurationError, match="REDSHIFT_OPTIMIZER_ANALYSIS__STATS_OF_MAX: no such setting "
                                                 r"\(did you mean REDSHIFT_OPTIMIZER_ANALYSIS__STATS_OFF_MAX\?\)"):
        load_settings()
