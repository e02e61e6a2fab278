"""A query's output signature: the names and types of its columns, derived with sqlglot's
qualify + annotate_types over a schema built from the snapshot. Two queries with the same
signature return rows of the same shape."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.rules.parsing import DIALECT

Signature = list[tuple[str, str]]


def _type(text: str) -> str:
    try:
        return exp.DataType.build(text, dialect=DIALECT).sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001 - an engine type sqlglot does not know
        return "UNKNOWN"


def schema_of(snapshot: SchemaSnapshot) -> MappingSchema:
    """The snapshot as a sqlglot schema ({schema: {table: {column: type}}})."""
    return _schema(id(snapshot), snapshot)


@lru_cache(maxsize=8)
def _schema_cached(key: tuple) -> MappingSchema:
    mapping: dict = {}
    for schema, table, columns in key:
        mapping.setdefault(schema, {})[table] = dict(columns)
    return MappingSchema(mapping, dialect=DIALECT, normalize=True)


def _schema(_: int, snapshot: SchemaSnapshot) -> MappingSchema:
    key = tuple(
        (t.schema_name.lower(), t.short_name.lower(), tuple((c.name, _type(c.type)) for c in t.columns))
        for t in snapshot.tables if t.columns
    )
    return _schema_cached(key)


def signature(tree: exp.Expression, snapshot: SchemaSnapshot) -> Signature | None:
    """(name, type) of each output column, or None when sqlglot cannot derive it."""
    try:
        qualified = qualify(
            tree.copy(), schema=schema_of(snapshot), dialect=DIALECT, db="public",
            validate_qualify_columns=False, identify=False,
        )
        typed = annotate_types(qualified, schema=schema_of(snapshot), dialect=DIALECT)
    except Exception:  # noqa: BLE001 - qualify gives up on some valid SQL; no signature then
        return None
    if not isinstance(typed, exp.Query):
        return None
    selects = typed.selects
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in selects):
        return None  # a star the schema could not expand
    return [(s.alias_or_name.lower(), s.type.sql(dialect=DIALECT) if s.type else "UNKNOWN") for s in selects]


__all__ = ["Signature", "schema_of", "signature"]
