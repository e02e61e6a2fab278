"""The issue's probes through the whole ad-hoc DAG (``dag.test()`` on the local stack): the
stored result (history table and S3 archive) carries neither a file's content nor another
table's rows, and the demo tables are unchanged."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.api.conftest import seeded_lake  # noqa: F401 - fixture
from tests.api.stack import BUCKET, PREFIX
from tests.api.test_adhoc_dag import adhoc_dag, history, stack  # noqa: F401 - fixtures
from tests.security.conftest import table_state

pytestmark = pytest.mark.stack

QUERY = """SELECT DISTINCT o_orderpriority, COUNT(*) AS orders
FROM orders
WHERE o_orderkey <> {probe}
GROUP BY o_orderpriority"""


@pytest.mark.parametrize("probe, level, note", [
    # passes the guard and EXPLAINs; running it fails on the cast, whose error text would hold
    # the customers' names
    ("(SELECT string_agg(c_name, ',') FROM customer)::int", "explained",
     "the original failed on postgres: other error (SQLSTATE 22P02) after "),
    # refused by the guard: the file is never read
    ("CAST(pg_read_file('/etc/passwd') AS INT)", "signature",
     "the original is refused by the SQL guard: 3:26: the query calls pg_read_file()"),
], ids=["string_agg-cast", "pg_read_file-cast"])
def test_a_probe_in_a_submitted_query_leaks_nothing_into_the_stored_result(adhoc_dag, stack, pg, probe, level,  # noqa: F811
                                                                           note):
    from redshift_optimizer.fingerprint import fingerprint

    before = table_state(pg)
    sql = QUERY.format(probe=probe)
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "requested_by": "tests",
                                       "settings": {"key_prefix": PREFIX}})
    assert dag_run.state == "success"
    query_hash = fingerprint(sql).query_hash
    record = history(query_hash)[0]
    optimizer = record.agents["redshift-query-optimizer"]
    assert optimizer.succeeded
    assert optimizer.verification.value == level, optimizer.verification_notes
    assert any(note in n for n in optimizer.verification_notes), optimizer.verification_notes

    archived = boto3.client("s3").get_object(
        Bucket=BUCKET, Key=f"{PREFIX}/recommendations/{stack:%Y/%m/%d}/{query_hash}.json")["Body"].read().decode()
    stored = json.dumps(record.model_dump(mode="json"))
    for text in (archived, stored):
        for leak in ("Customer#", "root:x:", "/bin/bash", "/usr/sbin"):
            assert leak not in text
    assert table_state(pg) == before


def test_without_the_verification_connection_the_rewrite_is_not_run_as_the_product_user(adhoc_dag, stack):  # noqa: F811
    from redshift_optimizer.fingerprint import fingerprint

    sql = QUERY.format(probe="42").replace("AS orders", "AS order_total")
    dag_run = adhoc_dag.test(run_conf={"sql": sql, "schema": "tpch", "settings": {
        "key_prefix": PREFIX, "verification_conn_id": "no_such_verifier"}})
    assert dag_run.state == "success"
    optimizer = history(fingerprint(sql).query_hash)[0].agents["redshift-query-optimizer"]
    assert optimizer.verification.value == "signature", "never verified as redshift_default instead"
    assert any("Airflow connection 'no_such_verifier' is not defined (setting verification_conn_id)" in note
               for note in optimizer.verification_notes), optimizer.verification_notes
