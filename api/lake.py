"""The metadata lake as the API reads it: S3 objects under the bucket and key prefix of the
settings, through boto3 (the API runs outside Airflow, so not through its S3 hook).

Reads of metadata documents keep the object's ETag and are cached for a few seconds; after
that, a conditional GET (If-None-Match) asks S3 whether the object changed, so a large
schema snapshot is transferred again only when a refresh rewrote it. The class also
satisfies the archive's JSON-store protocol (read_json, write_json, uri), so
``RecommendationArchive`` writes ingested results exactly as the DAGs do.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from redshift_optimizer.errors import LakeError


@dataclass(frozen=True)
class LakeObject:
    """One object's bytes and its ETag (quoted, as HTTP wants it)."""

    key: str
    body: bytes
    etag: str
    fetched_at: float


class LakeObjects:
    """Reads and writes JSON objects of the lake; keys are given without the prefix."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "", cache_seconds: float = 60.0):
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.cache_seconds = cache_seconds
        self._cache: dict[str, LakeObject] = {}
        self._lock = threading.Lock()

    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    def _failed(self, action: str, key: str, exc: Exception) -> LakeError:
        return LakeError(f"cannot {action} {self.uri(key)} (settings OPTIMIZER_API_BUCKET / KEY_PREFIX): {exc}")

    def get(self, key: str) -> LakeObject | None:
        """The object (from memory while fresh, else revalidated with its ETag), or None."""
        from botocore.exceptions import BotoCoreError, ClientError

        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached.fetched_at < self.cache_seconds:
            return cached
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(key)}
        if cached is not None:
            kwargs["IfNoneMatch"] = cached.etag
        try:
            response = self.s3.get_object(**kwargs)
            found = LakeObject(key, response["Body"].read(), response["ETag"], now)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if cached is not None and (code == "304" or status == 304):
                found = LakeObject(key, cached.body, cached.etag, now)
            elif code in ("NoSuchKey", "404"):
                with self._lock:
                    self._cache.pop(key, None)
                return None
            else:
                raise self._failed("read", key, exc) from None
        except BotoCoreError as exc:
            raise self._failed("read", key, exc) from None
        with self._lock:
            self._cache[key] = found
        return found

    def read_json(self, key: str) -> dict[str, Any] | None:
        """The object's JSON (uncached: work areas and archives change), or None."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise self._failed("read", key, exc) from None
        except BotoCoreError as exc:
            raise self._failed("read", key, exc) from None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise LakeError(f"{self.uri(key)} is not valid JSON: {exc}") from None

    def write_json(self, key: str, document: BaseModel | dict[str, Any]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        body = (document.model_dump_json(indent=2) if isinstance(document, BaseModel)
                else json.dumps(document, indent=2, default=str))
        try:
            self.s3.put_object(Bucket=self.bucket, Key=self.key(key), Body=body.encode(),
                               ContentType="application/json")
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("write", key, exc) from None
        return self.uri(key)

    def latest_key(self, prefix: str, suffix: str) -> str | None:
        """The greatest key (without the prefix) under ``prefix`` ending with ``suffix``: the
        newest, for keys that carry their date."""
        from botocore.exceptions import BotoCoreError, ClientError

        strip = len(self.prefix) + 1 if self.prefix else 0
        best = None
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                         Prefix=self.key(prefix)):
                for item in page.get("Contents", []):
                    key = item["Key"][strip:]
                    if key.endswith(suffix) and (best is None or key > best):
                        best = key
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("list", prefix, exc) from None
        return best

    def check(self) -> None:
        """The bucket is there and readable; LakeError says why not."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise LakeError(f"S3 bucket {self.bucket!r} is not reachable (setting OPTIMIZER_API_BUCKET): {exc}") from None


__all__ = ["LakeObject", "LakeObjects"]
