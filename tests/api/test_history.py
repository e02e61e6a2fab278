"""GET /history and /history/{query_hash}: filters, pages and cursors, and the 4xx of
every bad parameter, on records stored through HistoryStore in the local DynamoDB."""

from __future__ import annotations

from datetime import date, timedelta

import boto3
import httpx
import pytest

from tests.api.stack import API_KEY
from tests.api.records import make_record

pytestmark = pytest.mark.stack

DAY = date(2025, 3, 10)  # a day no other test writes


@pytest.fixture(scope="module")
def stored(aws):
    """Records over three days: 12 HIGH with Q002, 5 LOW with Q017, 3 with a failed cost-saver."""
    from redshift_optimizer.history import DynamoHistoryStore

    store = DynamoHistoryStore("query-optimization-history", client=boto3.client("dynamodb"))
    records = []
    for i in range(12):
        records.append(make_record(f"{i:04x}aaaaaaaaaaaa", DAY - timedelta(days=i % 3)))
    for i in range(5):
        records.append(make_record(f"{i:04x}bbbbbbbbbbbb", DAY, severity="LOW", codes=("Q017",)))
    for i in range(3):
        records.append(make_record(f"{i:04x}cccccccccccc", DAY - timedelta(days=1), failed=("cost-saver",)))
    for record in records:
        store.put(record)
    return records


@pytest.fixture()
def client(api_server, stored):
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


def listing(client, **params):
    answer = client.get("/history", params={"from": DAY - timedelta(days=2), "to": DAY, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_filters_by_severity_agent_and_code(client):
    assert len(listing(client, limit=100)["items"]) == 20
    low = listing(client, severity="LOW")["items"]
    assert len(low) == 5 and {i["severity"] for i in low} == {"LOW"}
    assert len(listing(client, code="Q017")["items"]) == 5
    assert len(listing(client, code="q002")["items"]) == 15, "codes are case-insensitive"
    with_cost_saver = listing(client, agent="cost-saver", limit=100)["items"]
    assert len(with_cost_saver) == 17 and all("cost-saver" in i["agents"] for i in with_cost_saver)


def test_pages_follow_the_cursor_without_repeats(client):
    seen, page, pages = [], listing(client, limit=6), 1
    seen += page["items"]
    while page["cursor"]:
        assert page["next_url"].startswith("/history?")
        page = client.get(page["next_url"]).json()
        seen += page["items"]
        pages += 1
    assert pages >= 4
    assert len(seen) == 20 and len({(i["query_hash"], i["analysis_timestamp"]) for i in seen}) == 20
    days = [i["run_date"] for i in seen]
    assert days == sorted(days, reverse=True), "newest day first"


def test_a_cursor_from_another_listing_is_422(client):
    cursor = listing(client, limit=3)["cursor"]
    answer = client.get("/history", params={"from": DAY - timedelta(days=2), "to": DAY, "limit": 3,
                                            "severity": "LOW", "cursor": cursor})
    assert answer.status_code == 422 and "cursor" in answer.json()["detail"]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJmIjogIngiLCAiYyI6ICJ5In0", "e30"])
def test_a_made_up_cursor_is_422(client, cursor):
    answer = client.get("/history", params={"cursor": cursor})
    assert answer.status_code == 422 and "cursor" in answer.json()["detail"]


@pytest.mark.parametrize("params, words", [
    ({"from": "2025-03-10", "to": "2025-03-01"}, "after"),
    ({"from": "1980-01-01", "to": "2025-03-01"}, "OPTIMIZER_API_HISTORY_MAX_DAYS"),
    ({"limit": 500}, "OPTIMIZER_API_HISTORY_MAX_LIMIT"),
    ({"limit": 0}, "greater than or equal to 1"),
    ({"severity": "SEVERE"}, "LOW"),
    ({"agent": "the-boss"}, "cost-saver"),
    ({"code": "X999"}, "pattern"),
    ({"from": "yesterday"}, "date"),
    ({"to": "0001-01-01"}, "outside"),
    ({"from": "0001-01-01", "to": "0001-01-03"}, "outside"),
])
def test_bad_parameters_are_422_naming_them(client, params, words):
    answer = client.get("/history", params=params)
    assert answer.status_code == 422
    assert words in str(answer.json()["detail"])


def test_one_query_has_its_records_with_the_agents(client, stored):
    record = stored[0]
    answer = client.get(f"/history/{record.query_hash}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["records"][0]["analysis_timestamp"] == record.analysis_timestamp
    assert set(body["records"][0]["agents"]) == set(record.agents)


def test_an_unknown_query_is_404_and_a_bad_hash_422(client):
    assert client.get("/history/ffffffffffffffff").status_code == 404
    assert client.get("/history/not-a-hash").status_code == 422
