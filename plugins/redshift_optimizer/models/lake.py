"""The metadata lake's objects (shared/docs/metadata-contract.md), as pydantic models.

These are the interface between the metadata refresh, the analyzer, the agents and the API:
field names and meanings are a fixed contract. Adding a field is fine; renaming one is not.
A metric the engine cannot give is None, never a made-up number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from redshift_optimizer.lake_keys import run_day_keys  # re-exported: the keys live in lake_keys

DistStyle = Literal["KEY", "EVEN", "ALL", "AUTO(KEY)", "AUTO(EVEN)", "AUTO(ALL)"]
SortKeyType = Literal["COMPOUND", "INTERLEAVED", "AUTO"]


def utc_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, as the contract writes every timestamp."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name_index(model: BaseModel, field: str, attribute: str) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """({lower-case name: first item}, {lower-case name: every item}) of the items of a list
    field of a model, named by their ``attribute``: built on first use and kept outside the
    model's fields (not serialized, not compared); rebuilt when the list is replaced or grows."""
    items = getattr(model, field)
    slot = f"_{field}_by_{attribute}"
    index = model.__dict__.get(slot)
    if index is None or index[0] is not items or index[1] != len(items):
        first: dict[str, Any] = {}
        every: dict[str, list[Any]] = {}
        for item in items:
            name = getattr(item, attribute).lower()
            first.setdefault(name, item)
            every.setdefault(name, []).append(item)
        index = model.__dict__[slot] = (items, len(items), (first, every))
    return index[2]


class LakeModel(BaseModel):
    """Base of the lake's objects: unknown fields are kept, so newer writers stay readable."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ColumnSnapshot(LakeModel):
    name: str
    type: str
    encoding: str | None = None
    nullable: bool = True
    dist_key: bool = False
    sort_key_position: int = 0


class TableSnapshot(LakeModel):
    table_name: str = Field(description="schema-qualified, e.g. public.sales")
    row_count: int | None = None
    size_mb: float | None = None
    dist_style: DistStyle | None = None
    dist_key: str | None = None
    sort_keys: list[str] = Field(default_factory=list)
    sort_key_type: SortKeyType | None = None
    skew_rows: float | None = None
    unsorted_pct: float | None = None
    stats_off: float | None = None
    estimated_visible_rows: int | None = None
    vacuum_sort_benefit: float | None = None
    encoded: bool | None = None
    max_varchar: int | None = None
    primary_key: list[str] = Field(default_factory=list)
    columns: list[ColumnSnapshot] = Field(default_factory=list)

    @property
    def schema_name(self) -> str:
        return self.table_name.split(".", 1)[0]

    @property
    def short_name(self) -> str:
        return self.table_name.split(".", 1)[-1]

    def column(self, name: str) -> ColumnSnapshot | None:
        """The column of that name (case-insensitive; the first, should two share it), read
        through an index by lower-case name (see ``_name_index``)."""
        return self.columns_by_name().get(name.lower())

    def columns_by_name(self) -> dict[str, ColumnSnapshot]:
        """{lower-case name: the column (the first of that name)}: the index ``column`` reads,
        shared (callers only read it)."""
        return _name_index(self, "columns", "name")[0]

    @property
    def ghost_rows(self) -> int | None:
        """Rows marked deleted and not yet vacuumed (tbl_rows - estimated_visible_rows)."""
        if self.row_count is None or self.estimated_visible_rows is None:
            return None
        return max(self.row_count - self.estimated_visible_rows, 0)


class SnapshotSource(LakeModel):
    engine: str
    database: str
    serverless: bool | None = None


class SchemaSnapshot(LakeModel):
    extract_timestamp: str
    source: SnapshotSource
    schema_version: str
    tables: list[TableSnapshot] = Field(default_factory=list)

    def table(self, name: str) -> TableSnapshot | None:
        """The table by schema-qualified name (``database.schema.table`` read as
        ``schema.table``), or by bare name when one schema alone holds it. A name qualified
        with a schema the snapshot does not hold is no table of it (None), even if another
        schema has a table of that name. Read through indexes by lower-case name (see
        ``_name_index``)."""
        parts = name.lower().split(".")
        if len(parts) > 1:
            return _name_index(self, "tables", "table_name")[0].get(".".join(parts[-2:]))
        bare = _name_index(self, "tables", "short_name")[1].get(parts[0], [])
        return bare[0] if len(bare) == 1 else None


class ColumnChange(LakeModel):
    table: str
    column: str
    type: str | None = None


class ColumnAlteration(LakeModel):
    table: str
    column: str
    changes: dict[str, list[Any]]


class DesignChange(LakeModel):
    table: str
    changes: dict[str, list[Any]]


class SchemaDiff(LakeModel):
    from_version: str
    to_version: str
    from_date: str
    to_date: str
    tables_added: list[str] = Field(default_factory=list)
    tables_removed: list[str] = Field(default_factory=list)
    columns_added: list[ColumnChange] = Field(default_factory=list)
    columns_removed: list[ColumnChange] = Field(default_factory=list)
    columns_altered: list[ColumnAlteration] = Field(default_factory=list)
    design_changed: list[DesignChange] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.tables_added
            or self.tables_removed
            or self.columns_added
            or self.columns_removed
            or self.columns_altered
            or self.design_changed
        )

    @property
    def change_count(self) -> int:
        return (
            len(self.tables_added)
            + len(self.tables_removed)
            + len(self.columns_added)
            + len(self.columns_removed)
            + len(self.columns_altered)
            + len(self.design_changed)
        )


class TopValue(LakeModel):
    value: str | None
    count: int


class ColumnProfile(LakeModel):
    name: str
    type: str
    null_count: int | None = None
    null_ratio: float | None = None
    distinct_estimate: int | None = None
    min: str | None = None
    max: str | None = None
    avg: float | None = None
    max_length: int | None = None
    top_values: list[TopValue] | None = None


class TableProfile(LakeModel):
    table_name: str
    row_count: int | None = None
    sampled: bool = False
    sample_rows: int | None = None
    columns: list[ColumnProfile] = Field(default_factory=list)

    def column(self, name: str) -> ColumnProfile | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


class DataProfile(LakeModel):
    extract_timestamp: str
    tables: list[TableProfile] = Field(default_factory=list)

    def table(self, name: str) -> TableProfile | None:
        lowered = name.lower()
        return next((t for t in self.tables if t.table_name.lower() == lowered), None)


class SlowQuery(LakeModel):
    query_hash: str
    fingerprint: str
    query_text: str
    database: str | None = None
    user: str | None = None
    executions: int
    total_elapsed_ms: float | None = None
    mean_elapsed_ms: float | None = None
    max_elapsed_ms: float | None = None
    queue_ms: float | None = None
    compile_ms: float | None = None
    returned_rows: int | None = None
    spilled_mb: float | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    alerts: list[str] = Field(default_factory=list)


class SlowQueries(LakeModel):
    window_start: str
    window_end: str
    threshold_ms: float
    source_view: str
    queries: list[SlowQuery] = Field(default_factory=list)


class EtlManifest(LakeModel):
    table: str
    load_id: str
    loaded_at: str
    row_count: int | None = None
    checksums: dict[str, str] = Field(default_factory=dict)
    primary_key: list[str] = Field(default_factory=list)
    source: str | None = None


@dataclass(frozen=True)
class LakeObject:
    """One object's bytes and its ETag (quoted, as HTTP wants it)."""

    key: str
    body: bytes
    etag: str
    fetched_at: float


M = TypeVar("M", bound=BaseModel)


@runtime_checkable
class Lake(Protocol):
    """What reads and writes the metadata lake (``adapters.lake.MetadataLake``, over any S3
    client). Keys are given without the key prefix; build them with ``redshift_optimizer.lake_keys``."""

    bucket: str
    prefix: str

    def key(self, key: str) -> str: ...
    def uri(self, key: str) -> str: ...
    def check(self) -> None: ...
    def read_json(self, key: str) -> dict[str, Any] | None: ...
    def read_model(self, key: str, model: type[M]) -> M | None: ...
    def read_text(self, key: str) -> str | None: ...
    def get(self, key: str) -> LakeObject | None: ...
    def write_json(self, key: str, document: BaseModel | dict[str, Any]) -> str: ...
    def write_text(self, key: str, text: str, content_type: str = ...) -> str: ...
    def list_keys(self, prefix: str) -> list[str]: ...
    def latest_key(self, prefix: str, suffix: str) -> str | None: ...
    def delete(self, key: str) -> None: ...


__all__ = [
    "ColumnAlteration",
    "ColumnChange",
    "ColumnProfile",
    "ColumnSnapshot",
    "DataProfile",
    "DesignChange",
    "DistStyle",
    "EtlManifest",
    "Lake",
    "LakeObject",
    "SchemaDiff",
    "SchemaSnapshot",
    "SlowQueries",
    "SlowQuery",
    "SnapshotSource",
    "SortKeyType",
    "TableProfile",
    "TableSnapshot",
    "TopValue",
    "run_day_keys",
    "utc_timestamp",
]

