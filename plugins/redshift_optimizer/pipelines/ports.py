"""What the pipelines need of the lake, typed (the Airflow S3 adapter and the API's boto3
reader both provide it)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class LakeReader(Protocol):
    bucket: str
    prefix: str

    def uri(self, key: str) -> str: ...

    def read_json(self, key: str) -> dict[str, Any] | None: ...


class Lake(LakeReader, Protocol):
    def read_model(self, key: str, model: type[M]) -> M | None: ...

    def write_json(self, key: str, document: BaseModel | dict[str, Any]) -> str: ...

    def list_keys(self, prefix: str) -> list[str]: ...


__all__ = ["Lake", "LakeReader"]
