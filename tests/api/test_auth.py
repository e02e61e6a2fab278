"""Everything but health needs credentials: 401 without known ones, 403 with the wrong kind.
Keys are accepted as X-API-Key or as a bearer token."""

from __future__ import annotations

import httpx
import pytest

from tests.api.stack import API_KEY, INGEST_TOKEN, READ_KEY

pytestmark = pytest.mark.stack

READS = ["/history", "/history/0123456789abcdef", "/jobs/adhoc__000000000000000000000000", "/metadata/schema",
         "/metadata/data-profile"]


@pytest.fixture()
def http(api_server):
    with httpx.Client(base_url=api_server.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("path", READS)
def test_reads_without_credentials_are_401(http, path):
    answer = http.get(path)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "X-API-Key" in answer.json()["detail"]


@pytest.mark.parametrize("headers", [{"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "Basic YWRtaW46YWRtaW4="}])
def test_unknown_credentials_are_401(http, headers):
    answer = http.post("/optimize/redshift", json={"sql": "SELECT 1"}, headers=headers)
    assert answer.status_code == 401


def test_an_api_key_works_as_a_bearer_token(http):
    answer = http.get("/history", headers={"Authorization": f"Bearer {API_KEY}"})
    assert answer.status_code == 200, answer.text


def test_the_ingest_token_only_ingests(http):
    answer = http.get("/history", headers={"Authorization": f"Bearer {INGEST_TOKEN}"})
    assert answer.status_code == 403 and "may not read" in answer.json()["detail"]


@pytest.mark.parametrize("key", [API_KEY, READ_KEY])
def test_api_and_read_keys_cannot_ingest(http, key):
    answer = http.post("/ingest/bedrock", json={}, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 403 and "ingest token" in answer.json()["detail"]


def test_health_and_the_page_need_no_credentials(http):
    assert http.get("/health").json() == {"status": "ok"}
    page = http.get("/")
    assert page.status_code == 200 and "Redshift Query Optimizer" in page.text
    assert http.get("/static/app.js").status_code == 200
