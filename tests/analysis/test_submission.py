"""The one check of a submitted query (redshift_optimizer.submission): bounded work before
parsing, a parse time budget, and what sqlglot accepts but Redshift does not, each refused
with its line, column and (for a limit) its setting."""

from __future__ import annotations

import pytest

from redshift_optimizer.submission import Submission, SubmissionError, SubmissionLimits


def nested(levels: int) -> str:
    return "SELECT * FROM " + "(SELECT * FROM " * levels + "t" + ") x" * levels


def refused(sql: str, limits: SubmissionLimits | None = None) -> SubmissionError:
    with pytest.raises(SubmissionError) as caught:
        Submission.check(sql, limits)
    return caught.value


@pytest.mark.parametrize("sql, line, col, words", [
    ("SELECT", 1, 1, "select list is empty"),
    ("SELECT 1 UNION SELECT", 1, 16, "select list is empty"),
    ("SELECT 1\nEXCEPT\nSELECT", 3, 1, "select list is empty"),
    ("SELECT * FROM t UNION ALL SELECT", 1, 27, "select list is empty"),
    ("SELECT FROM t", 1, 1, "select list is empty"),
    ("SELECT DISTINCT FROM t", 1, 1, "select list is empty"),
    ("SELECT a IN (SELECT) FROM t", 1, 14, "select list is empty"),
    ("SELECT * FROM t WHERE a IN ()", 1, 25, "IN () is empty"),
    ("SELECT a, FROM t", 1, 9, "comma with nothing after it"),
    ("SELECT a FROM t GROUP BY", 1, 17, "GROUP BY with nothing after it"),
    ("SELECT a FROM t JOIN u ON WHERE a = 1", 1, 24, "ON (a join condition) with nothing"),
    ("SELECT count(*) OVER (PARTITION BY) FROM t", 1, 23, "PARTITION BY with nothing"),
    ("SELECT 1 +", 1, 10, "expected an expression"),
    ("SELECT a FROM t WHERE a = 1 AND", 1, 29, "AND"),
])
def test_incomplete_sql_is_refused_with_line_and_column(sql, line, col, words):
    error = refused(sql)
    assert (error.kind, error.line, error.col) == ("syntax", line, col), error.message
    assert words in error.message


@pytest.mark.parametrize("sql", [
    "SELECT a, b FROM t WHERE x IN (1, 2) AND y = 'SELECT, FROM'",
    "SELECT EXTRACT(YEAR FROM d), TRIM(BOTH FROM x), SUBSTRING(a FROM 1 FOR 2) FROM t",
    "SELECT count(*) OVER (PARTITION BY a ORDER BY b) FROM t -- SELECT\n",
    "SELECT * FROM t UNION ALL SELECT * FROM u",
    "INSERT INTO t SELECT * FROM u",
    "GRANT SELECT, INSERT ON t TO u",
    "SELECT -1, +2, a - -b FROM t WHERE a BETWEEN 1 AND 2",
    nested(40),
])
def test_complete_sql_passes_with_its_fingerprint(sql):
    from redshift_optimizer.fingerprint import fingerprint

    submission = Submission.check(sql)
    assert submission.sql == sql and submission.statements
    assert submission.query_hash == fingerprint(sql).query_hash


def test_a_thousand_nested_subqueries_are_refused_before_parsing():
    sql = nested(1000)
    assert len(sql) > 18_000
    error = refused(sql)
    assert error.kind == "too_complex" and error.setting == "submission_max_depth"
    assert "more than 50 deep" in error.message and error.line == 1
    limits = SubmissionLimits(max_depth=10, settings={"max_depth": "OPTIMIZER_API_MAX_SQL_DEPTH"})
    assert "OPTIMIZER_API_MAX_SQL_DEPTH" in refused(nested(11), limits).message


def test_parentheses_in_strings_and_comments_do_not_count():
    sql = "SELECT '" + "(" * 200 + "' AS a /* " + "(" * 200 + " */ FROM t"
    assert Submission.check(sql).statements


def test_token_and_size_limits_name_their_settings():
    many = "SELECT " + " + ".join(f"a{i}" for i in range(2000)) + " FROM t"
    error = refused(many, SubmissionLimits(max_tokens=1000))
    assert error.kind == "too_complex" and error.setting == "submission_max_tokens"
    error = refused(many, SubmissionLimits(max_chars=1000))
    assert error.kind == "too_large" and "submission_max_chars" in error.message


def test_the_parse_has_a_time_budget():
    many = "SELECT " + " + ".join(f"a{i}" for i in range(20_000)) + " FROM t"
    error = refused(many, SubmissionLimits(max_chars=1_000_000, max_tokens=1_000_000, parse_seconds=0.001))
    assert error.kind == "too_complex" and error.setting == "submission_parse_seconds"


def test_one_statement_only_pointing_at_the_second():
    error = refused("SELECT 1;\nSELECT 2")
    assert "expected one statement" in error.message and error.line == 2
    assert len(Submission.check("SELECT 1; SELECT 2", single=False).statements) == 2
