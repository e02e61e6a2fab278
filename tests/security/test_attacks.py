"""The attack corpus against the real local warehouse, through the real verification path:
``verify()`` as the verification identity inside the ad-hoc run's read-only session.

Every probe is refused or harmless: the demo tables keep their row counts and checksums,
the other session lives, and no note carries the secret, a file's content or a table's rows.
"""

from __future__ import annotations

import pytest

from redshift_optimizer.models.findings import Verification
from redshift_optimizer.pipelines.adhoc_optimization import read_only_session
from redshift_optimizer.verify import Budget, verify
from tests.security.conftest import PROBE_SCHEMA, SECRET, sentinel_alive, table_state

pytestmark = pytest.mark.stack

BUDGET = Budget(max_rows=1_000, timeout_s=10.0)
# What must never appear in a note: the file, other tables' rows, the secret.
LEAKS = ("root:", "/bin/", "Customer#", "Supplier#", SECRET, "ALGERIA")


def _pid_probe(pid: int) -> list[str]:
    return [
        f"SELECT n_name FROM tpch.nation WHERE n_nationkey IN (SELECT pg_terminate_backend({pid}))",
        f"SELECT pg_cancel_backend({pid}), n_name FROM tpch.nation",
        "SELECT n_name FROM tpch.nation WHERE n_nationkey IN "
        "(SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid())",
    ]


REFUSED = [
    "SELECT * FROM tpch.nation WHERE n_nationkey = CAST(pg_read_file('/etc/passwd') AS INT)",
    "SELECT * FROM tpch.nation WHERE n_nationkey = pg_read_file('/etc/passwd')::int",
    "SELECT set_config('statement_timeout', '0', false), n_name FROM tpch.nation",
    "WITH gone AS (DELETE FROM tpch.region RETURNING *) SELECT * FROM gone",
    "WITH moved AS (UPDATE tpch.nation SET n_name = 'x' RETURNING *) SELECT count(*) FROM moved",
    "SELECT * INTO tpch.stolen FROM tpch.nation",
    "COPY (SELECT * FROM tpch.customer) TO PROGRAM 'cat > /tmp/stolen'",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_export(1, '/tmp/x')",
    "SELECT n_name FROM tpch.nation; DELETE FROM tpch.region",
    "SELECT n_name FROM tpch.nation /* ; */ ;\nDELETE FROM tpch.region",
    "SELECT n_name FROM tpch.nation -- harmless\n; TRUNCATE tpch.region",
    "SELECT * FROM tpch.nation WHERE n_regionkey IN "
    "(WITH d AS (DELETE FROM tpch.region RETURNING r_regionkey) SELECT r_regionkey FROM d)",
    'SELECT "PG_SLEEP"(30)',
    "SELECT pg_catalog.pg_sleep(30)",
    "SELECT n_name || pg_sleep(30)::text FROM tpch.nation",
    "SELECT CAST(pg_ls_dir('.') AS INT)",
    "SELECT * FROM pg_ls_dir('.')",
    "SELECT query_to_xml('DELETE FROM tpch.region', true, true, '')",
    "SELECT * FROM dblink('host=127.0.0.1', 'DELETE FROM tpch.region') AS t(a int)",
    "SELECT nextval('tpch.some_sequence')",
    "SELECT pg_advisory_lock(42)",
    "SELECT current_setting('data_directory')",
    "SELECT pg_reload_conf()",
    "SELECT txid_current()",
    "SELECT * FROM redshift_system.server_log",
    "SELECT query FROM pg_stat_activity",
    "SELECT rolname, rolpassword FROM pg_catalog.pg_authid",
    "SELECT n_name FROM tpch.nation FOR UPDATE",
    "EXPLAIN ANALYZE DELETE FROM tpch.region",
    "DELETE FROM tpch.region",
    "DROP TABLE tpch.region",
    "SET ROLE postgres",
    "RESET statement_timeout",
]


@pytest.fixture(scope="module", autouse=True)
def tables_unchanged(demo_dsn):
    """Row counts and checksums of every demo table, before the module and after it."""
    import psycopg2

    conn = psycopg2.connect(demo_dsn)
    conn.autocommit = True
    before = table_state(conn)
    yield before
    after = table_state(conn)
    conn.close()
    assert after == before, {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}


def run_probe(verifier, original: str, rewrite: str | None = None):
    with read_only_session(verifier, "tpch"):
        return verify(original, rewrite or original, verifier, BUDGET)


def assert_no_leak(notes: list[str]) -> None:
    for note in notes:
        for secret in LEAKS:
            assert secret not in note, note


@pytest.mark.parametrize("sql", REFUSED, ids=[s[:70] for s in REFUSED])
def test_hostile_sql_is_refused_before_it_runs(sql, verifier, sentinel):
    report = run_probe(verifier, sql)
    assert report.level is Verification.PARSED and not report.failed
    assert len(report.notes) == 1 and "refused by the SQL guard" in report.notes[0], report.notes
    assert verifier.round_trips == 3, "only the session's BEGIN, search path and ROLLBACK ran"
    assert sentinel_alive(sentinel)
    assert_no_leak(report.notes)


def test_no_probe_ends_another_session(verifier, sentinel):
    for sql in _pid_probe(sentinel.info.backend_pid):
        report = run_probe(verifier, sql)
        assert "refused by the SQL guard" in report.notes[0], report.notes
        assert sentinel_alive(sentinel)


def test_a_hostile_rewrite_is_refused_too(verifier):
    report = run_probe(verifier, "SELECT n_name FROM tpch.nation",
                       "SELECT n_name FROM tpch.nation WHERE pg_sleep(30) IS NOT NULL")
    assert report.level is Verification.PARSED
    assert "the rewrite is refused by the SQL guard" in report.notes[0]


def test_another_tables_rows_cast_to_a_number_do_not_reach_the_notes(verifier):
    # Passes the guard (reads a table the verifier may read); the cast fails, and the error
    # text would carry the customers' names.
    sql = ("SELECT n_name FROM tpch.nation "
           "WHERE n_nationkey = (SELECT string_agg(c_name, ',') FROM tpch.customer)::int")
    report = run_probe(verifier, sql)
    assert report.level is Verification.EXPLAINED and not report.failed
    assert report.notes[-1].startswith("the original failed on postgres: other error (SQLSTATE 22P02) after ")
    assert_no_leak(report.notes)


def test_a_value_in_a_cast_error_does_not_reach_the_notes(verifier):
    # EXPLAIN plans it; running it fails on the first name, which the error would quote.
    sql = "SELECT CAST(n_name AS INT) AS n FROM tpch.nation"
    report = run_probe(verifier, sql)
    assert report.level is Verification.EXPLAINED and not report.failed
    assert report.notes[-1].startswith("the original failed on postgres: other error (SQLSTATE 22P02) after ")
    assert_no_leak(report.notes)


def test_a_table_the_verifier_may_not_read_gives_a_grant_not_its_rows(verifier, probe_schema):
    report = run_probe(verifier, f"SELECT token FROM {PROBE_SCHEMA}.secret")
    assert report.level is Verification.PARSED
    assert report.notes == [
        "the original does not EXPLAIN on postgres: permission error (SQLSTATE 42501); "
        'missing: GRANT SELECT ON <schema>.secret TO "optimizer_verifier"; rewrite not verified further']
    assert_no_leak(report.notes)


def test_the_verifier_identity_cannot_do_what_the_guard_refuses(verifier, sentinel):
    """The second wall, without the guard: the role itself cannot read files, end other
    sessions or write."""
    from redshift_optimizer.errors import WarehouseError

    refused = {
        "SELECT pg_read_file('/etc/passwd') AS f": "permission",
        "SELECT lo_import('/etc/passwd') AS f": "permission",
        "DELETE FROM tpch.region": "permission",
        "CREATE TABLE tpch.stolen (a int)": "permission",
        "SELECT * FROM redshift_system.server_log": "permission",
    }
    for sql, error_class in refused.items():
        with pytest.raises(WarehouseError) as error:
            verifier.query(sql)
        assert error.value.failure.error_class.value == error_class, (sql, error.value)
    # pg_terminate_backend is open to every role, but only on its own sessions.
    with pytest.raises(WarehouseError) as error:
        verifier.query(f"SELECT pg_terminate_backend({sentinel.info.backend_pid}) AS ended")
    assert error.value.failure.error_class.value == "permission"
    assert sentinel_alive(sentinel)
    assert verifier.query("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                          "WHERE rolname = current_user") == [
        {"rolsuper": False, "rolcreaterole": False, "rolcreatedb": False}]
    assert verifier.query("SELECT count(*) AS n FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                          "WHERE r.rolname = current_user") == [{"n": 0}], "member of no role"


def test_an_equivalent_rewrite_still_verifies_as_the_verifier(verifier):
    report = run_probe(verifier, "SELECT DISTINCT n_regionkey, COUNT(*) AS n FROM tpch.nation GROUP BY n_regionkey",
                       "SELECT n_regionkey, COUNT(*) AS n FROM tpch.nation GROUP BY n_regionkey")
    assert report.level is Verification.EQUIVALENT, report.notes
    assert report.original_rows == report.rewrite_rows == 5


@pytest.mark.parametrize("sql", [
    # Redshift reads \' inside a string as a quote; PostgreSQL would end the string at the
    # backslash. What runs locally is regenerated from the checked tree, so it stays a string.
    "SELECT 'a\\' , pg_sleep(30) --' AS s",
    "SELECT n_name FROM tpch.nation /* /* */ , pg_sleep(30) */ WHERE n_nationkey = 1",
    "SELECT $q$ ' $q$ AS s",
], ids=["backslash-quote", "nested-comment", "dollar-quote"])
def test_lexer_tricks_stay_what_the_guard_saw(sql, verifier, sentinel):
    report = run_probe(verifier, sql)
    assert report.level is Verification.EQUIVALENT, report.notes
    assert report.original_rows == 1
    assert sentinel_alive(sentinel)
