"""The demo workload: every query runs, literals vary, the session is labelled."""

from __future__ import annotations

import re

import psycopg2
import psycopg2.extensions
import pytest
import sqlglot

from local.demo.workload import APPLICATION_NAME, run_workload, workload_queries

QUERIES = workload_queries()


class RecordingCursor(psycopg2.extensions.cursor):
    """Remembers each statement as sent and the application name the server reported after it."""

    def execute(self, query, vars=None):
        result = super().execute(query, vars)
        self.connection.sent.append(
            (self.query.decode(), self.connection.get_parameter_status("application_name"))
        )
        return result


class RecordingConnection(psycopg2.extensions.connection):
    """A connection whose cursors record what they send."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, str]] = []
        self.cursor_factory = RecordingCursor


@pytest.fixture()
def recording_conn(tiny_warehouse):
    conn = psycopg2.connect(tiny_warehouse, application_name="pytest", connection_factory=RecordingConnection)
    conn.autocommit = True
    yield conn
    conn.close()


def test_every_query_runs_once_per_repetition(tiny_warehouse, recording_conn):
    executions = run_workload(recording_conn, repetitions=3)

    assert len(executions) == 3 * len(QUERIES)
    assert {e["query"] for e in executions} == {q.name for q in QUERIES}
    assert all(e["rows"] >= 0 and e["seconds"] >= 0 for e in executions)
    by_query = {}
    for execution in executions:
        by_query.setdefault(execution["query"], []).append(execution["parameters"])
    for query in QUERIES:
        # Three different literal sets, so the history sees one shape run with three values.
        assert by_query[query.name] == list(query.variants[:3])


def test_queries_are_sent_with_inlined_literals_as_demo_workload(tiny_warehouse, recording_conn):
    run_workload(recording_conn, repetitions=1)

    workload = [
        (text, application)
        for text, application in recording_conn.sent
        if "application_name" not in text  # reading, setting and restoring the name
    ]
    assert len(workload) == len(QUERIES)
    for (text, application), query in zip(workload, QUERIES):
        assert application == APPLICATION_NAME
        assert "%(" not in text
        assert not text.lstrip().startswith("--"), "the anti-pattern header must not reach the server"
        for value in query.variants[0].values():
            assert str(value).replace("'", "''") in text
    assert recording_conn.get_parameter_status("application_name") == "pytest"


def test_one_query_returns_a_million_rows_at_the_default_scale():
    export = [q for q in QUERIES if "lineitem_export" in q.name]

    assert len(export) == 1
    # Shipped since early 1992: nearly all of the about 1.2M lineitem rows at scale 0.2.
    assert all(v["since"] <= "1992-02-01" for v in export[0].variants)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_each_variant_is_redshift_sql_in_the_common_subset(query, demo_conn):
    with demo_conn.cursor() as cur:
        for params in query.variants:
            text = cur.mogrify(query.sql, params).decode()
            assert sqlglot.parse_one(text, read="redshift") is not None
            for redshift_only in (r"\bLISTAGG\b", r"\bAPPROXIMATE\b", r"\bTOP\s+\d", "::", r"\bDATEADD\b"):
                assert not re.search(redshift_only, text, re.IGNORECASE), redshift_only


def test_headers_name_the_anti_patterns_and_cover_q001_to_q019():
    covered = set()
    for query in QUERIES:
        assert all(re.fullmatch(r"Q0(0[1-9]|1[0-9])", code) for code in query.anti_patterns), query.name
        covered.update(query.anti_patterns)

    assert covered == {f"Q{n:03d}" for n in range(1, 20)}
    assert sum(1 for q in QUERIES if not q.anti_patterns) >= 2  # clean queries to compare with


def test_variants_of_a_query_share_one_fingerprint(demo_conn):
    from redshift_optimizer.fingerprint import fingerprint

    shapes = {}
    with demo_conn.cursor() as cur:
        for query in QUERIES:
            hashes = {fingerprint(cur.mogrify(query.sql, p).decode()).query_hash for p in query.variants}
            assert len(hashes) == 1, query.name
            shapes[hashes.pop()] = query.name

    assert len(shapes) == len(QUERIES)
