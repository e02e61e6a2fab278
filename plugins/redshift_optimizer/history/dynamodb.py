"""The history in DynamoDB: table ``query-optimization-history`` (setting ``history_table``).

Layout (what :func:`table_definition` creates; Terraform or an operator does the same):

- partition key ``query_hash`` (S), sort key ``analysis_timestamp`` (S): one item per
  analysis identity (run day + engine + prompt version + snapshot version);
- global secondary index ``by-severity-day``: partition key ``severity_rank`` (S, ``0`` = no
  finding, ``1`` LOW .. ``4`` CRITICAL), sort key ``day_key`` (S,
  ``<run_date>#<query_hash>#<analysis_timestamp>``), projecting only what a listing shows
  (``summary``: the listing's row as one JSON string, and the filter sets ``agents`` and
  ``codes``; not the record). One Query per severity covers any range of days (``day_key BETWEEN``),
  newest first: a listing of one severity is one Query, of every severity five, merged,
  whatever the number of days (one partition per severity is a handful of partitions: the
  history takes a few hundred writes a day, far below a partition's limit);
- ``agents`` / ``codes`` (string sets) for filters, ``revision`` (N) for the conditional
  write, ``record`` (B): the full :class:`AnalysisRecord` as gzip'd JSON. A record too big for
  an item (400 KB) is left in the S3 archive and read from there (``archive_uri``).
"""

from __future__ import annotations

import base64
import gzip
import heapq
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from redshift_optimizer.errors import ConfigurationError, OptimizerError
from redshift_optimizer.history.store import HistoryPage, HistoryStore, HistorySummary, summarize
from redshift_optimizer.models.agents import AnalysisRecord
from redshift_optimizer.models.findings import Severity

INDEX_NAME = "by-severity-day"
MAX_RECORD_BYTES = 350_000  # below DynamoDB's 400 KB item limit, with room for the attributes
_RANK = {None: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
#: What the listing index projects (never the record): the summary as one JSON attribute,
#: and the sets the filters read.
SUMMARY_ATTRIBUTES = ["summary", "agents", "codes"]
_DAY_END = "#~"  # after every "#<query_hash>#<analysis_timestamp>" of a day ("~" sorts after them)


class HistoryError(OptimizerError):
    """The history table could not be read or written."""


def _index() -> dict[str, Any]:
    return {
        "IndexName": INDEX_NAME,
        "KeySchema": [
            {"AttributeName": "severity_rank", "KeyType": "HASH"},
            {"AttributeName": "day_key", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": SUMMARY_ATTRIBUTES},
    }


_INDEX_ATTRIBUTES = [
    {"AttributeName": "severity_rank", "AttributeType": "S"},
    {"AttributeName": "day_key", "AttributeType": "S"},
]


def table_definition(name: str) -> dict[str, Any]:
    """The CreateTable request of the history table (on-demand billing)."""
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "query_hash", "AttributeType": "S"},
            {"AttributeName": "analysis_timestamp", "AttributeType": "S"},
            *_INDEX_ATTRIBUTES,
        ],
        "KeySchema": [
            {"AttributeName": "query_hash", "KeyType": "HASH"},
            {"AttributeName": "analysis_timestamp", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [_index()],
    }


def ensure_table(client: Any, name: str) -> str:
    """Create the history table, or bring an existing one to :func:`table_definition`: add
    the listing index when it lacks it and give the items written before it their index
    keys. Idempotent; returns what it did."""
    if name not in _table_names(client):
        client.create_table(**table_definition(name))
        return "created"
    described = client.describe_table(TableName=name)["Table"]
    if INDEX_NAME in {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}:
        return "up to date"
    client.update_table(TableName=name, AttributeDefinitions=_INDEX_ATTRIBUTES,
                        GlobalSecondaryIndexUpdates=[{"Create": _index()}])
    updated = 0
    for page in client.get_paginator("scan").paginate(TableName=name):
        for item in page.get("Items", []):
            if "run_date" not in item:
                continue
            keys = _index_keys(item["query_hash"]["S"], item["analysis_timestamp"]["S"], item["run_date"]["S"],
                               item.get("severity", {}).get("S"))
            summary = DynamoHistoryStore._summary(item).model_dump_json()
            client.update_item(TableName=name, Key={k: item[k] for k in ("query_hash", "analysis_timestamp")},
                               UpdateExpression="SET severity_rank = :r, day_key = :d, summary = :s",
                               ExpressionAttributeValues={":r": keys["severity_rank"], ":d": keys["day_key"],
                                                          ":s": {"S": summary}})
            updated += 1
    return f"index {INDEX_NAME} added, {updated} item(s) keyed"


def _table_names(client: Any) -> list[str]:
    return [n for page in client.get_paginator("list_tables").paginate() for n in page.get("TableNames", [])]


def _index_keys(query_hash: str, analysis_timestamp: str, run_date: str, severity: str | None) -> dict[str, Any]:
    rank = _RANK[Severity.parse(severity) if severity else None]
    return {"severity_rank": {"S": str(rank)}, "day_key": {"S": f"{run_date}#{query_hash}#{analysis_timestamp}"}}


class DynamoHistoryStore(HistoryStore):
    """:class:`HistoryStore` on one DynamoDB table (low-level client, typed attributes)."""

    def __init__(
        self,
        table: str,
        client: Any = None,
        aws_conn_id: str | None = "aws_default",
        archive_reader: Callable[[str], dict[str, Any] | None] | None = None,
    ):
        if client is None:
            from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

            client = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="dynamodb").get_conn()
        self.client = client
        self.table = table
        self.archive_reader = archive_reader

    # ------------------------------------------------------------------------- errors
    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise
            if code == "ResourceNotFoundException":
                raise ConfigurationError(
                    f"DynamoDB table '{self.table}' does not exist (setting history_table)") from None
            raise HistoryError(f"DynamoDB {operation} on '{self.table}' failed: {exc}") from None
        except BotoCoreError as exc:
            raise HistoryError(f"cannot reach DynamoDB for '{self.table}': {exc}") from None

    # ---------------------------------------------------------------------- encoding
    def _item(self, record: AnalysisRecord) -> dict[str, Any]:
        body = gzip.compress(record.model_dump_json().encode(), mtime=0)
        summary = summarize(record)
        item: dict[str, Any] = {
            "query_hash": {"S": record.query_hash},
            "analysis_timestamp": {"S": record.analysis_timestamp},
            "run_date": {"S": record.run_date},
            **_index_keys(record.query_hash, record.analysis_timestamp, record.run_date,
                          record.severity.value if record.severity else None),
            "engine": {"S": record.engine},
            "prompt_version": {"S": record.prompt_version},
            "schema_version": {"S": record.schema_version},
            "analyzed_at": {"S": record.analyzed_at},
            "revision": {"N": str(record.revision)},
            "fingerprint": {"S": summary.fingerprint or "-"},
            "summary": {"S": summary.model_dump_json(exclude_defaults=True)},
        }
        if record.severity is not None:
            item["severity"] = {"S": record.severity.value}
        for name in ("agents", "failed_agents", "codes"):
            values = getattr(summary, name)
            if values:  # DynamoDB sets cannot be empty
                item[name] = {"SS": values}
        if record.query.total_elapsed_ms is not None:
            item["total_elapsed_ms"] = {"N": repr(float(record.query.total_elapsed_ms))}
        if record.archive_uri:
            item["archive_uri"] = {"S": record.archive_uri}
        if len(body) <= MAX_RECORD_BYTES:
            item["record"] = {"B": body}
        elif not record.archive_uri:
            raise HistoryError(f"record {record.query_hash} is {len(body):,} bytes gzip'd and has no archive copy")
        return item

    def _record(self, item: dict[str, Any]) -> AnalysisRecord:
        if "record" in item:
            return AnalysisRecord.model_validate_json(gzip.decompress(item["record"]["B"]))
        uri = item.get("archive_uri", {}).get("S")
        if uri and self.archive_reader is not None:
            data = self.archive_reader(uri)
            if data is not None:
                return AnalysisRecord.model_validate(data)
        raise HistoryError(f"record {item['query_hash']['S']} is only in the archive ({uri}), which is not readable here")

    @staticmethod
    def _summary(item: dict[str, Any]) -> HistorySummary:
        if "summary" in item:
            return HistorySummary.model_validate_json(item["summary"]["S"])

        def text(name: str) -> str | None:
            return item[name]["S"] if name in item else None

        return HistorySummary(
            query_hash=text("query_hash"), analysis_timestamp=text("analysis_timestamp"),
            run_date=text("run_date"), severity=text("severity"),
            agents=sorted(item.get("agents", {}).get("SS", [])),
            failed_agents=sorted(item.get("failed_agents", {}).get("SS", [])),
            codes=sorted(item.get("codes", {}).get("SS", [])),
            engine=text("engine"), prompt_version=text("prompt_version"), schema_version=text("schema_version"),
            fingerprint=text("fingerprint") or "",
            total_elapsed_ms=float(item["total_elapsed_ms"]["N"]) if "total_elapsed_ms" in item else None,
            archive_uri=text("archive_uri"),
        )

    # -------------------------------------------------------------------- interface
    def put(self, record: AnalysisRecord) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(
                "put_item", TableName=self.table, Item=self._item(record),
                ConditionExpression="attribute_not_exists(query_hash) OR revision < :revision",
                ExpressionAttributeValues={":revision": {"N": str(record.revision)}},
            )
        except ClientError:  # ConditionalCheckFailedException: this revision or a newer one is stored
            return False
        return True

    def get(self, query_hash: str, analysis_timestamp: str | None = None) -> list[AnalysisRecord]:
        if analysis_timestamp is not None:
            found = self._call("get_item", TableName=self.table, ConsistentRead=True, Key={
                "query_hash": {"S": query_hash}, "analysis_timestamp": {"S": analysis_timestamp}})
            return [self._record(found["Item"])] if "Item" in found else []
        records: list[AnalysisRecord] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table, "KeyConditionExpression": "query_hash = :h",
            "ExpressionAttributeValues": {":h": {"S": query_hash}}, "ScanIndexForward": False,
        }
        while True:
            page = self._call("query", **kwargs)
            records += [self._record(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return records
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def list(
        self,
        from_date: date | None = None,
        to_date: date | None = None,
        severity: Severity | None = None,
        agent: str | None = None,
        code: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        min_severity: Severity | None = None,
    ) -> HistoryPage:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        to_date = to_date or datetime.now(timezone.utc).date()
        from_date = from_date or to_date - timedelta(days=30)
        if from_date > to_date:
            raise ValueError(f"from_date {from_date} is after to_date {to_date}")
        if severity is not None:
            ranks = [_RANK[_severity(severity)]]
        else:
            lowest = _RANK[_severity(min_severity)] if min_severity is not None else 0
            ranks = list(range(4, lowest - 1, -1))
        last = _decode_cursor(cursor) if cursor else None
        values: dict[str, Any] = {}
        filters = []
        if agent:
            filters.append("contains(agents, :agent)")
            values[":agent"] = {"S": agent}
        if code:
            filters.append("contains(codes, :code)")
            values[":code"] = {"S": code.upper()}
        # Every severity's items newest day first, merged: (day, severity, key) descending,
        # the order of the listing.
        # Each severity's first page is its share of the page (and then some): a listing
        # reads about ``limit`` items, not ``limit`` per severity; a severity that has more
        # than its share is read further, page by page, as the merge asks.
        share = min(limit + 1, (limit + 1) // len(ranks) + 10)
        streams = [self._stream(rank, from_date.isoformat(), _upper(rank, to_date.isoformat(), last),
                                filters, values, first_page=share, page_size=limit + 1) for rank in ranks]
        merged = heapq.merge(*streams, key=lambda entry: entry[0], reverse=True)
        items: list[HistorySummary] = []
        for order, item in merged:
            if len(items) == limit:  # one more exists: the page has a next one
                return HistoryPage(items=items, cursor=_encode_cursor(last_order))
            items.append(self._summary(item))
            last_order = order
        return HistoryPage(items=items, cursor=None)

    def _stream(self, rank: int, low: str, high: str | None, filters: list[str], values: dict[str, Any],
                first_page: int, page_size: int) -> Iterator[tuple[tuple[str, int, str], dict[str, Any]]]:
        """One severity's items with ``low <= day_key <= high`` (high exclusive of the
        cursor's own item), newest first, fetched page by page as the merge asks."""
        if high is None or high < low:
            return
        kwargs: dict[str, Any] = {
            "TableName": self.table, "IndexName": INDEX_NAME,
            "KeyConditionExpression": "severity_rank = :rank AND day_key BETWEEN :low AND :high",
            "ExpressionAttributeValues": {**values, ":rank": {"S": str(rank)}, ":low": {"S": low},
                                          ":high": {"S": high}},
            # A filter applies after the read: read wide pages, so a rare code is found in a
            # page or two instead of many narrow ones.
            "ScanIndexForward": False, "Limit": first_page if not filters else max(page_size, 1000),
            "ProjectionExpression": "day_key, summary",
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        while True:
            page = self._call("query", **kwargs)
            for item in page.get("Items", []):
                day_key = item["day_key"]["S"]
                if day_key == high:  # the cursor's own item
                    continue
                day, _, rest = day_key.partition("#")
                yield (day, rank, rest), item
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            kwargs["Limit"] = max(kwargs["Limit"], page_size)


def _severity(value: Severity | str) -> Severity:
    return Severity.parse(str(value.value if isinstance(value, Severity) else value))


def _upper(rank: int, to_day: str, last: tuple[str, int, str] | None) -> str | None:
    """The highest ``day_key`` of severity ``rank`` still to list: the end of ``to_day``, or,
    after a cursor at (day, rank, rest), what sorts after it in the listing."""
    if last is None:
        return to_day + _DAY_END
    day, last_rank, rest = last
    if rank > last_rank:  # more severe: listed before the cursor's item on its day
        return day  # only earlier days (every key of ``day`` sorts after the bare day)
    if rank < last_rank:  # less severe: its items of ``day`` come after the cursor's
        return day + _DAY_END
    return f"{day}#{rest}"  # same severity: strictly after the cursor's own item


def _encode_cursor(last: tuple[str, int, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 2, "last": list(last)}).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[str, int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        day, rank, rest = data["last"]
        date.fromisoformat(day)
        if data.get("v") != 2 or not isinstance(rank, int) or not 0 <= rank <= 4 or not isinstance(rest, str) \
                or "#" not in rest:
            raise ValueError
        return day, rank, rest
    except (ValueError, TypeError, KeyError, json.JSONDecodeError):
        raise ValueError("cursor is not one this store gave out") from None


__all__ = ["INDEX_NAME", "SUMMARY_ATTRIBUTES", "DynamoHistoryStore", "HistoryError", "ensure_table",
           "table_definition"]
