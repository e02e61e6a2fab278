"""The metadata lake in S3: JSON objects under one bucket and an optional prefix."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

from redshift_optimizer.errors import ConfigurationError, LakeError

M = TypeVar("M", bound=BaseModel)


class MetadataLake:
    """Reads and writes the contract's JSON objects (keys given without the prefix)."""

    def __init__(self, bucket: str, prefix: str = "", aws_conn_id: str | None = "aws_default", hook: Any = None):
        if hook is None:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook

            hook = S3Hook(aws_conn_id=aws_conn_id)
        self.hook = hook
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._checked = False

    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    def check(self) -> None:
        """Fail with a message naming the bucket setting when the bucket is not there."""
        if self._checked:
            return
        try:
            exists = self.hook.check_for_bucket(self.bucket)
        except Exception as exc:  # noqa: BLE001 - botocore raises many types
            raise LakeError(f"cannot reach S3 bucket '{self.bucket}' (setting bucket): {exc}") from None
        if not exists:
            raise ConfigurationError(
                f"S3 bucket '{self.bucket}' does not exist or is not readable (setting bucket)"
            )
        self._checked = True

    def write_json(self, key: str, document: BaseModel | dict[str, Any]) -> str:
        """Write one object (replacing it); returns its s3:// URI."""
        self.check()
        body = (
            document.model_dump_json(indent=2)
            if isinstance(document, BaseModel)
            else json.dumps(document, indent=2, default=str)
        )
        try:
            self.hook.load_string(body, key=self.key(key), bucket_name=self.bucket, replace=True)
        except Exception as exc:  # noqa: BLE001
            raise LakeError(f"cannot write {self.uri(key)}: {exc}") from None
        return self.uri(key)

    def read_json(self, key: str) -> dict[str, Any] | None:
        """The object's JSON, or None when it does not exist."""
        self.check()
        if not self.hook.check_for_key(self.key(key), bucket_name=self.bucket):
            return None
        try:
            return json.loads(self.hook.read_key(self.key(key), bucket_name=self.bucket))
        except json.JSONDecodeError as exc:
            raise LakeError(f"{self.uri(key)} is not valid JSON: {exc}") from None

    def read_model(self, key: str, model: type[M]) -> M | None:
        data = self.read_json(key)
        return None if data is None else model.model_validate(data)

    def list_keys(self, prefix: str) -> list[str]:
        """Keys (without the configured prefix) that start with ``prefix``."""
        self.check()
        keys = self.hook.list_keys(bucket_name=self.bucket, prefix=self.key(prefix)) or []
        strip = len(self.prefix) + 1 if self.prefix else 0
        return sorted(k[strip:] for k in keys)

    def delete(self, key: str) -> None:
        """Remove one object if it exists."""
        self.check()
        if self.hook.check_for_key(self.key(key), bucket_name=self.bucket):
            self.hook.delete_objects(bucket=self.bucket, keys=[self.key(key)])
