"""The history of analyses: :class:`HistoryStore` (DynamoDB behind it) and the S3 archive.

Read it through the interface only::

    from redshift_optimizer.history import DynamoHistoryStore
    store = DynamoHistoryStore("query-optimization-history")
    page = store.list(from_date=date(2026, 5, 1), to_date=date(2026, 5, 31), min_severity=Severity.HIGH)
    records = store.get(page.items[0].query_hash)      # newest first
"""

from redshift_optimizer.history.archive import RecommendationArchive, archive_key
from redshift_optimizer.history.dynamodb import (
    INDEX_NAME,
    DynamoHistoryStore,
    HistoryError,
    ensure_table,
    table_definition,
)
from redshift_optimizer.history.store import HistoryPage, HistoryStore, HistorySummary, summarize

__all__ = [
    "INDEX_NAME",
    "DynamoHistoryStore",
    "HistoryError",
    "HistoryPage",
    "HistoryStore",
    "HistorySummary",
    "RecommendationArchive",
    "archive_key",
    "ensure_table",
    "summarize",
    "table_definition",
]
