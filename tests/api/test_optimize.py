"""POST /optimize/redshift refuses bad input with a 4xx that names the problem (line and
column for SQL), before anything reaches Airflow."""

from __future__ import annotations

import httpx
import pytest

from tests.api.stack import API_KEY

pytestmark = pytest.mark.stack


@pytest.fixture()
def client(api_server):
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


def problem(answer: httpx.Response, status: int):
    assert answer.status_code == status, answer.text
    return answer.json()["detail"]


def test_a_syntax_error_is_422_with_line_and_column(client):
    sql = "SELECT o_orderkey,\n       o_totalprice\nFROM tpch.orders\nWHERE (o_orderkey = 1"
    detail = problem(client.post("/optimize/redshift", json={"sql": sql}), 422)
    assert detail[0]["loc"] == ["body", "sql"]
    assert detail[0]["line"] == 4 and detail[0]["column"] >= 1
    assert detail[0]["msg"].startswith("line 4, column ")


def test_an_unterminated_string_points_at_its_quote(client):
    detail = problem(client.post("/optimize/redshift", json={"sql": "SELECT 1\nWHERE x = 'open"}), 422)
    assert (detail[0]["line"], detail[0]["column"]) == (2, 11)
    assert "unterminated string" in detail[0]["msg"]


def test_text_that_is_not_a_statement_is_422(client):
    detail = problem(client.post("/optimize/redshift", json={"sql": "hello world"}), 422)
    assert "expected a statement" in detail[0]["msg"] and detail[0]["line"] == 1


def test_two_statements_are_refused_pointing_at_the_second(client):
    detail = problem(client.post("/optimize/redshift", json={"sql": "SELECT 1;\nSELECT 2"}), 422)
    assert "one statement" in detail[0]["msg"] and detail[0]["line"] == 2


@pytest.mark.parametrize("sql, words", [("", "at least 1 character"), ("   \n ", "no SQL given"),
                                        ("-- only a comment", "only comments")])
def test_empty_sql_is_422(client, sql, words):
    detail = problem(client.post("/optimize/redshift", json={"sql": sql}), 422)
    assert words in str(detail)


def test_sql_over_the_size_limit_is_413_naming_the_setting(client):
    sql = "SELECT 1 AS a" + ", 1 AS a" * 20_000
    detail = problem(client.post("/optimize/redshift", json={"sql": sql}), 413)
    assert "OPTIMIZER_API_MAX_SQL_CHARS" in detail


def test_a_body_over_the_byte_limit_is_413(client):
    detail = problem(client.post("/optimize/redshift", content=b'{"sql": "' + b"x" * 3_000_000 + b'"}',
                                 headers={"Content-Type": "application/json"}), 413)
    assert "OPTIMIZER_API_MAX_BODY_BYTES" in detail


@pytest.mark.parametrize("body, field", [
    ({"sql": "SELECT 1", "schema": "tpch; DROP TABLE x"}, "schema"),
    ({"sql": "SELECT 1", "database": "1abc"}, "database"),
    ({"sql": "SELECT 1", "colour": "red"}, "colour"),
    ({"sql": 42}, "sql"),
    ({}, "sql"),
])
def test_bad_fields_are_422_naming_the_field(client, body, field):
    detail = problem(client.post("/optimize/redshift", json=body), 422)
    assert any(field in map(str, item["loc"]) for item in detail), detail


def test_a_body_that_is_not_json_is_422(client):
    answer = client.post("/optimize/redshift", content=b"SELECT 1", headers={"Content-Type": "application/json"})
    assert answer.status_code == 422


def test_a_bad_idempotency_key_is_422(client):
    answer = client.post("/optimize/redshift", json={"sql": "SELECT 1"}, headers={"Idempotency-Key": "x" * 300})
    assert answer.status_code == 422
