"""GET /metadata/schema and /metadata/data-profile: the lake's JSON byte for byte, with the
S3 ETag, 304 for If-None-Match, a refreshed object seen once the cache expires."""

from __future__ import annotations

import json
import time

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.stack import API_KEY, BUCKET, PREFIX

pytestmark = pytest.mark.stack


@pytest.fixture()
def client(api_server):
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


def s3_object(key: str) -> tuple[bytes, str]:
    found = boto3.client("s3").get_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")
    return found["Body"].read(), found["ETag"]


def test_the_schema_is_the_lake_object_with_its_etag(client):
    body, etag = s3_object("metadata/schema/schema.json")
    answer = client.get("/metadata/schema")
    assert answer.status_code == 200
    assert answer.content == body and answer.headers["ETag"] == etag
    assert answer.headers["content-type"] == "application/json"
    assert any(t["table_name"] == "tpch.orders" for t in answer.json()["tables"])

    unchanged = client.get("/metadata/schema", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert client.get("/metadata/schema", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_profile_by_day_and_the_newest(client, seeded_lake):
    key = f"metadata/data_profile/profile-{seeded_lake:%Y%m%d}.json"
    body, etag = s3_object(key)
    newest = client.get("/metadata/data-profile")
    dated = client.get("/metadata/data-profile", params={"date": seeded_lake.isoformat()})
    assert newest.content == dated.content == body
    assert dated.headers["ETag"] == etag
    assert f'filename="profile-{seeded_lake:%Y%m%d}.json"' in dated.headers["Content-Disposition"]


def test_a_missing_day_is_404_and_a_bad_date_422(client):
    missing = client.get("/metadata/data-profile", params={"date": "2001-01-01"})
    assert missing.status_code == 404 and "2001-01-01" in missing.json()["detail"]
    assert client.get("/metadata/data-profile", params={"date": "2001-13-01"}).status_code == 422


def test_a_rewritten_object_is_served_after_the_cache_expires(aws, seeded_lake, monkeypatch):
    """Its own app and prefix: a 1-second cache, an object rewritten behind it."""
    from api.main import create_app
    from api.settings import load_api_settings

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3")
    key = "cache-test/metadata/schema/schema.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"tables": [], "schema_version": "a"}).encode())
    settings = load_api_settings(api_keys=API_KEY, key_prefix="cache-test", metadata_cache_seconds=1)
    with TestClient(create_app(settings)) as http:
        first = http.get("/metadata/schema", headers={"X-API-Key": API_KEY})
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"tables": [], "schema_version": "b"}).encode())
        cached = http.get("/metadata/schema", headers={"X-API-Key": API_KEY})
        time.sleep(1.2)
        fresh = http.get("/metadata/schema", headers={"X-API-Key": API_KEY})
        revalidated = http.get("/metadata/schema", headers={"X-API-Key": API_KEY, "If-None-Match": fresh.headers["ETag"]})
    assert first.json()["schema_version"] == cached.json()["schema_version"] == "a"
    assert fresh.json()["schema_version"] == "b" and fresh.headers["ETag"] != first.headers["ETag"]
    assert revalidated.status_code == 304


def test_no_snapshot_yet_is_404_saying_what_to_run(aws, monkeypatch):
    from api.main import create_app
    from api.settings import load_api_settings

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with TestClient(create_app(load_api_settings(api_keys=API_KEY, key_prefix="empty-lake"))) as http:
        answer = http.get("/metadata/schema", headers={"X-API-Key": API_KEY})
    assert answer.status_code == 404 and "run the metadata refresh" in answer.json()["detail"]
