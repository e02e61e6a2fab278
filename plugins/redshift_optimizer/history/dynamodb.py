"""The history in DynamoDB: table ``query-optimization-history`` (setting ``history_table``).

Layout (what :func:`table_definition` creates; Terraform or an operator does the same):

- partition key ``query_hash`` (S), sort key ``analysis_timestamp`` (S): one item per
  analysis identity (run day + engine + prompt version + snapshot version);
- global secondary index ``by-day-severity``: partition key ``run_date`` (S,
  ``YYYY-MM-DD``), sort key ``severity_key`` (S, ``<rank>#<query_hash>#<analysis_timestamp>``,
  rank 0 = no finding, 1 LOW .. 4 CRITICAL), so one Query lists a day by severity, and
  ``severity_key >= "3#"`` lists HIGH and above;
- ``agents`` / ``codes`` (string sets) for filters, ``revision`` (N) for the conditional
  write, ``record`` (B): the full :class:`AnalysisRecord` as gzip'd JSON. A record too big for
  an item (400 KB) is left in the S3 archive and read from there (``archive_uri``).
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from redshift_optimizer.errors import ConfigurationError, OptimizerError
from redshift_optimizer.history.store import HistoryPage, HistoryStore, HistorySummary, days_between, summarize
from redshift_optimizer.models.agents import AnalysisRecord
from redshift_optimizer.models.findings import Severity

INDEX_NAME = "by-day-severity"
MAX_RECORD_BYTES = 350_000  # below DynamoDB's 400 KB item limit, with room for the attributes
_RANK = {None: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class HistoryError(OptimizerError):
    """The history table could not be read or written."""


def table_definition(name: str) -> dict[str, Any]:
    """The CreateTable request of the history table (on-demand billing)."""
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "query_hash", "AttributeType": "S"},
            {"AttributeName": "analysis_timestamp", "AttributeType": "S"},
            {"AttributeName": "run_date", "AttributeType": "S"},
            {"AttributeName": "severity_key", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "query_hash", "KeyType": "HASH"},
            {"AttributeName": "analysis_timestamp", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": INDEX_NAME,
            "KeySchema": [
                {"AttributeName": "run_date", "KeyType": "HASH"},
                {"AttributeName": "severity_key", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }],
    }


def severity_key(record: AnalysisRecord) -> str:
    return f"{_RANK[record.severity]}#{record.query_hash}#{record.analysis_timestamp}"


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
            "severity_key": {"S": severity_key(record)},
            "engine": {"S": record.engine},
            "prompt_version": {"S": record.prompt_version},
            "schema_version": {"S": record.schema_version},
            "analyzed_at": {"S": record.analyzed_at},
            "revision": {"N": str(record.revision)},
            "fingerprint": {"S": summary.fingerprint or "-"},
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
        position = _decode_cursor(cursor) if cursor else None
        values: dict[str, Any] = {}
        condition = "run_date = :day"
        if severity is not None:
            condition += " AND begins_with(severity_key, :rank)"
            values[":rank"] = {"S": f"{_RANK[Severity.parse(str(severity.value if isinstance(severity, Severity) else severity))]}#"}
        elif min_severity is not None:
            condition += " AND severity_key >= :rank"
            values[":rank"] = {"S": f"{_RANK[Severity.parse(str(min_severity.value if isinstance(min_severity, Severity) else min_severity))]}#"}
        filters = []
        if agent:
            filters.append("contains(agents, :agent)")
            values[":agent"] = {"S": agent}
        if code:
            filters.append("contains(codes, :code)")
            values[":code"] = {"S": code.upper()}
        items: list[HistorySummary] = []
        for day in days_between(from_date, to_date):
            if position and day.isoformat() > position["day"]:
                continue
            kwargs: dict[str, Any] = {
                "TableName": self.table, "IndexName": INDEX_NAME, "KeyConditionExpression": condition,
                "ExpressionAttributeValues": {**values, ":day": {"S": day.isoformat()}},
                "ScanIndexForward": False, "Limit": max(limit, 25),
            }
            if filters:
                kwargs["FilterExpression"] = " AND ".join(filters)
            if position and day.isoformat() == position["day"]:
                kwargs["ExclusiveStartKey"] = position["after"]
            position = None
            while True:
                page = self._call("query", **kwargs)
                for item in page.get("Items", []):
                    items.append(self._summary(item))
                    if len(items) == limit:
                        after = {k: item[k] for k in ("query_hash", "analysis_timestamp", "run_date", "severity_key")}
                        return HistoryPage(items=items, cursor=_encode_cursor(day.isoformat(), after))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return HistoryPage(items=items, cursor=None)


def _encode_cursor(day: str, after: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"day": day, "after": after}).encode()).decode()


def _decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(data, dict) or "day" not in data or "after" not in data:
            raise ValueError
        date.fromisoformat(data["day"])
        return data
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValueError("cursor is not one this store gave out") from None


__all__ = ["INDEX_NAME", "DynamoHistoryStore", "HistoryError", "severity_key", "table_definition"]
