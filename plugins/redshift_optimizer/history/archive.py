"""The S3 archive of analyses: ``recommendations/YYYY/MM/DD/<query_hash>.json``.

One object per fingerprint and day (the lake contract): the newest analysis of that day at
the top level (the same record the history table stores), and the day's other analyses
(another engine, prompt version or snapshot) under ``earlier_analyses``, so re-analysing a
day keeps the old result beside the new one.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from redshift_optimizer import lake_keys
from redshift_optimizer.models.agents import AnalysisRecord
from redshift_optimizer.models.lake import Lake

archive_key = lake_keys.recommendation


def archive_reader(lake: Lake | None) -> Callable[[str], dict[str, Any] | None]:
    """Reads a record kept only in the archive (too big for a history item) from its
    ``archive_uri``; None for a URI outside this lake."""
    root = "" if lake is None else f"s3://{lake.bucket}/" + (f"{lake.prefix}/" if lake.prefix else "")

    def read(uri: str) -> dict[str, Any] | None:
        if lake is None or not uri.startswith(root):
            return None
        data = lake.read_json(uri[len(root):])
        if data is not None:
            data.pop("earlier_analyses", None)
        return data

    return read


class RecommendationArchive:
    """Reads and writes the archive objects through the metadata lake."""

    def __init__(self, lake: Lake):
        self.lake = lake

    def uri(self, day: date | str, query_hash: str) -> str:
        return self.lake.uri(archive_key(day, query_hash))

    def read(self, day: date | str, query_hash: str) -> dict[str, Any] | None:
        return self.lake.read_json(archive_key(day, query_hash))

    def records(self, day: date | str, query_hash: str) -> list[AnalysisRecord]:
        """Every analysis of that fingerprint and day, newest first."""
        data = self.read(day, query_hash)
        if data is None:
            return []
        earlier = data.pop("earlier_analyses", [])
        return [AnalysisRecord.model_validate(data), *(AnalysisRecord.model_validate(e) for e in earlier)]

    def store(self, record: AnalysisRecord) -> tuple[str, bool]:
        """Put ``record`` in its day's object (replacing the same analysis, keeping the
        others); (uri, whether the object changed)."""
        key = archive_key(record.run_date, record.query_hash)
        current = self.read(record.run_date, record.query_hash)
        others: list[dict[str, Any]] = []
        if current is not None:
            earlier = current.pop("earlier_analyses", [])
            for candidate in (current, *earlier):
                if candidate.get("analysis_timestamp") == record.analysis_timestamp:
                    if int(candidate.get("revision", 1)) >= record.revision:
                        return self.lake.uri(key), False
                    continue
                others.append(candidate)
        document = {**record.model_dump(mode="json"), "earlier_analyses": others}
        return self.lake.write_json(key, document), True


__all__ = ["RecommendationArchive", "archive_key", "archive_reader"]
