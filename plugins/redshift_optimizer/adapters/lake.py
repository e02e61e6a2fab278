"""The metadata lake in S3: JSON objects under one bucket and an optional prefix.

One class for every reader and writer: the DAG tasks build it from the Amazon provider's S3
hook (``aws_conn_id``), the API from a plain boto3 client (``client=``), the way
:class:`~redshift_optimizer.history.dynamodb.DynamoHistoryStore` takes either. Keys are given
without the prefix and come from :mod:`redshift_optimizer.lake_keys`.

:meth:`MetadataLake.get` keeps each object's ETag and serves it from memory for
``cache_seconds``; after that a conditional GET (If-None-Match) asks S3 whether it changed,
so a large snapshot is transferred again only when a refresh rewrote it. Error messages name
the settings that point at the bucket (``bucket_setting``, ``prefix_setting``: the API passes
its environment variables' names).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, TypeVar

from pydantic import BaseModel

from redshift_optimizer.errors import ConfigurationError, LakeError
from redshift_optimizer.models.lake import Lake, LakeObject

M = TypeVar("M", bound=BaseModel)
_MISSING_KEY = ("NoSuchKey", "404", "NotFound")
_MISSING_BUCKET = ("NoSuchBucket",)
_BUCKET_NOT_FOUND = ("NoSuchBucket", "404", "NotFound")


class MetadataLake:
    """Reads and writes the contract's objects through an S3 client (keys without the prefix)."""

    def __init__(self, bucket: str, prefix: str = "", *, client: Any = None,
                 aws_conn_id: str | None = "aws_default", cache_seconds: float = 0.0,
                 bucket_setting: str = "bucket", prefix_setting: str = "key_prefix"):
        if client is None:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook

            client = S3Hook(aws_conn_id=aws_conn_id).get_conn()
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.cache_seconds = cache_seconds
        self.bucket_setting = bucket_setting
        self.prefix_setting = prefix_setting
        self._checked = False
        self._cache: dict[str, LakeObject] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------ keys
    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    # ---------------------------------------------------------------------- errors
    def _settings(self) -> str:
        return f"settings {self.bucket_setting} / {self.prefix_setting}"

    def _failed(self, action: str, key: str, exc: Exception) -> Exception:
        from botocore.exceptions import ClientError

        if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING_BUCKET:
            return self._no_bucket()
        return LakeError(f"cannot {action} {self.uri(key)} ({self._settings()}): {exc}")

    def _no_bucket(self) -> ConfigurationError:
        return ConfigurationError(f"S3 bucket '{self.bucket}' does not exist (setting {self.bucket_setting})")

    @staticmethod
    def _code(exc: Any) -> tuple[str, Any]:
        return (exc.response.get("Error", {}).get("Code", ""),
                exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))

    def check(self) -> None:
        """The bucket is there and readable: ConfigurationError when it is not, LakeError when
        S3 cannot be reached. Probes every time (readiness); reads and writes probe once."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code, http_status = self._code(exc)
            if code in _BUCKET_NOT_FOUND or http_status == 404:
                raise self._no_bucket() from None
            if code in ("403", "AccessDenied") or http_status == 403:
                raise ConfigurationError(f"S3 bucket '{self.bucket}' is not readable with these credentials "
                                         f"(setting {self.bucket_setting})") from None
            raise LakeError(f"cannot reach S3 bucket '{self.bucket}' (setting {self.bucket_setting}): {exc}") from None
        except BotoCoreError as exc:
            raise LakeError(f"cannot reach S3 bucket '{self.bucket}' (setting {self.bucket_setting}): {exc}") from None
        self._checked = True

    def _ensure(self) -> None:
        if not self._checked:
            self.check()

    # ----------------------------------------------------------------------- reads
    def _body(self, key: str) -> bytes | None:
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure()
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(key))["Body"].read()
        except ClientError as exc:
            if self._code(exc)[0] in _MISSING_KEY:
                return None
            raise self._failed("read", key, exc) from None
        except BotoCoreError as exc:
            raise self._failed("read", key, exc) from None

    def read_json(self, key: str) -> dict[str, Any] | None:
        """The object's JSON (uncached: work areas and archives change), or None."""
        body = self._body(key)
        if body is None:
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise LakeError(f"{self.uri(key)} is not valid JSON: {exc}") from None

    def read_model(self, key: str, model: type[M]) -> M | None:
        data = self.read_json(key)
        return None if data is None else model.model_validate(data)

    def read_text(self, key: str) -> str | None:
        """The object as UTF-8 text (prompts kept in S3), or None."""
        body = self._body(key)
        return None if body is None else body.decode("utf-8")

    def get(self, key: str) -> LakeObject | None:
        """The object with its ETag (from memory while fresh, else revalidated), or None."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached.fetched_at < self.cache_seconds:
            return cached
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(key)}
        if cached is not None:
            kwargs["IfNoneMatch"] = cached.etag
        try:
            response = self.client.get_object(**kwargs)
            found = LakeObject(key, response["Body"].read(), response["ETag"], now)
        except ClientError as exc:
            code, http_status = self._code(exc)
            if cached is not None and (code == "304" or http_status == 304):
                found = LakeObject(key, cached.body, cached.etag, now)
            elif code in _MISSING_KEY:
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

    def list_keys(self, prefix: str) -> list[str]:
        """Keys (without the configured prefix) that start with ``prefix``, sorted."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure()
        strip = len(self.prefix) + 1 if self.prefix else 0
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.key(prefix))
            return sorted(item["Key"][strip:] for page in pages for item in page.get("Contents", []))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("list", prefix, exc) from None

    def latest_key(self, prefix: str, suffix: str) -> str | None:
        """The greatest key under ``prefix`` ending with ``suffix``: the newest, for keys that
        carry their date."""
        return max((k for k in self.list_keys(prefix) if k.endswith(suffix)), default=None)

    # ---------------------------------------------------------------------- writes
    def write_json(self, key: str, document: BaseModel | dict[str, Any]) -> str:
        """Write one object (replacing it); returns its s3:// URI."""
        body = (document.model_dump_json(indent=2) if isinstance(document, BaseModel)
                else json.dumps(document, indent=2, default=str))
        return self.write_text(key, body, "application/json")

    def write_text(self, key: str, text: str, content_type: str = "text/plain; charset=utf-8") -> str:
        """Write one object of UTF-8 text (replacing it); returns its s3:// URI."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=text.encode("utf-8"),
                                   ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("write", key, exc) from None
        with self._lock:
            self._cache.pop(key, None)
        return self.uri(key)

    def delete(self, key: str) -> None:
        """Remove one object (nothing when it is not there)."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure()
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("delete", key, exc) from None
        with self._lock:
            self._cache.pop(key, None)


__all__ = ["Lake", "LakeObject", "MetadataLake"]
