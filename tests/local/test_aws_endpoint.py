"""The local AWS endpoint keeps what it stored: killed (SIGKILL) and started again, it
answers with every bucket, object, table item and topic message it had acknowledged."""

from __future__ import annotations

import json
import os
import signal
import urllib.request

import boto3
import pytest

from local import services
from local.aws_endpoint import changes_state

BUCKET = "lake-under-test"


def _clients(url: str):
    env = services.aws_environment(url)
    session = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=services.REGION)
    return (session.client("s3", endpoint_url=url), session.client("dynamodb", endpoint_url=url),
            session.client("sns", endpoint_url=url))


def _everything(url: str) -> dict:
    """All that the endpoint stores for the test, read back through the ordinary APIs."""
    s3, dynamodb, _ = _clients(url)
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            objects[item["Key"]] = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
    items = sorted(json.dumps(i, sort_keys=True) for page in dynamodb.get_paginator("scan").paginate(
        TableName=services.HISTORY_TABLE) for i in page["Items"])
    with urllib.request.urlopen(f"{url}/moto-api/data.json") as response:
        topics = json.loads(response.read())["sns"]["Topic"]
    messages = sorted(m[1] for t in topics if t["name"] == services.ALERTS_TOPIC for m in t["sent_notifications"])
    return {"objects": objects, "items": items, "messages": messages}


def _kill_and_restart(server: services.MotoServer) -> None:
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    assert not server.running()
    server.start()


@pytest.fixture()
def endpoint(tmp_path):
    server = services.MotoServer(services.free_port(), tmp_path / "aws.log", journal=tmp_path / "journal.jsonl")
    server.start()
    services.provision_aws(server.url, BUCKET, [services.ALERTS_TOPIC], services.HISTORY_TABLE)
    yield server
    server.stop()


def _write_lake(url: str) -> None:
    s3, dynamodb, sns = _clients(url)
    for day in range(1, 6):
        for name in ("schema.json", "slow queries.json", "a+b%2F=c.json"):
            s3.put_object(Bucket=BUCKET, Key=f"metadata/2026/11/{day:02d}/{name}",
                          Body=json.dumps({"day": day, "name": name}).encode())
    s3.put_object(Bucket=BUCKET, Key="binary.bin", Body=bytes(range(256)) * 64)
    s3.put_object(Bucket=BUCKET, Key="metadata/2026/11/01/schema.json", Body=b'{"overwritten": true}')
    s3.delete_object(Bucket=BUCKET, Key="metadata/2026/11/02/schema.json")
    s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "metadata/2026/11/03/schema.json"}]})
    for n in range(30):
        dynamodb.put_item(TableName=services.HISTORY_TABLE, Item={
            "query_hash": {"S": f"hash{n % 7}"}, "analysis_timestamp": {"S": f"2026-11-01T00:00:{n:02d}"},
            "result": {"S": "é" * n}})
    dynamodb.delete_item(TableName=services.HISTORY_TABLE, Key={
        "query_hash": {"S": "hash0"}, "analysis_timestamp": {"S": "2026-11-01T00:00:00"}})
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(services.ALERTS_TOPIC))
    sns.publish(TopicArn=topic, Message="three findings")


def test_a_killed_endpoint_comes_back_with_everything_it_stored(endpoint):
    _write_lake(endpoint.url)
    before = _everything(endpoint.url)
    assert len(before["objects"]) == 14 and len(before["items"]) == 29 and before["messages"] == ["three findings"]

    _kill_and_restart(endpoint)

    assert _everything(endpoint.url) == before
    # and it goes on storing: a write after the replay survives the next kill too
    s3, _, _ = _clients(endpoint.url)
    s3.put_object(Bucket=BUCKET, Key="after-restart.json", Body=b"{}")
    _kill_and_restart(endpoint)
    assert _everything(endpoint.url) == {**before, "objects": {**before["objects"], "after-restart.json": b"{}"}}


def test_a_write_cut_short_by_the_kill_is_dropped_and_the_rest_kept(endpoint):
    _write_lake(endpoint.url)
    before = _everything(endpoint.url)
    os.kill(endpoint.process.pid, signal.SIGKILL)
    endpoint.process.wait()
    with open(endpoint.journal, "ab") as journal:
        journal.write(b'{"environ": {"REQUEST_METHOD": "PUT", "PATH_INFO": "/lake-under')  # killed mid-line
    endpoint.start()
    assert _everything(endpoint.url) == before
    s3, _, _ = _clients(endpoint.url)
    s3.put_object(Bucket=BUCKET, Key="next.json", Body=b"1")
    _kill_and_restart(endpoint)
    assert s3.get_object(Bucket=BUCKET, Key="next.json")["Body"].read() == b"1"


def test_without_a_journal_the_endpoint_keeps_nothing(tmp_path):
    server = services.MotoServer(services.free_port(), tmp_path / "aws.log").start()
    try:
        services.provision_aws(server.url, BUCKET, [], None)
        _kill_and_restart(server)
        s3, _, _ = _clients(server.url)
        assert s3.list_buckets()["Buckets"] == []
    finally:
        server.stop()


@pytest.mark.parametrize("method, environ, body, writes", [
    ("GET", {"PATH_INFO": "/bucket/key"}, b"", False),
    ("HEAD", {"PATH_INFO": "/bucket/key"}, b"", False),
    ("PUT", {"PATH_INFO": "/bucket/key"}, b"data", True),
    ("DELETE", {"PATH_INFO": "/bucket/key"}, b"", True),
    ("POST", {"PATH_INFO": "/bucket", "QUERY_STRING": "delete"}, b"<Delete/>", True),
    ("POST", {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query"}, b"{}", False),
    ("POST", {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.BatchGetItem"}, b"{}", False),
    ("POST", {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, b"{}", True),
    ("POST", {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.BatchWriteItem"}, b"{}", True),
    ("POST", {"CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8"}, b"Action=ListTopics", False),
    ("POST", {"CONTENT_TYPE": "application/x-www-form-urlencoded"}, b"Action=Publish&Message=x", True),
    ("POST", {"PATH_INFO": "/service/GraniteServiceVersion20100801/operation/PutMetricData"}, b"", True),
    ("POST", {"PATH_INFO": "/moto-api/reset"}, b"", True),
])
def test_only_requests_that_may_change_state_are_journaled(method, environ, body, writes):
    assert changes_state({"REQUEST_METHOD": method, **environ}, body) is writes
