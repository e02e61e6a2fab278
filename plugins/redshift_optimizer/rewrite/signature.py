"""A query's output signature: the names and types of its columns, derived with sqlglot's
qualify + annotate_types over a schema built from the snapshot. Two queries with the same
signature return rows of the same shape."""

from __future__ import annotations

import weakref

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.parsing import DIALECT

Signature = list[tuple[str, str]]


def _type(text: str) -> str:
    try:
        return exp.DataType.build(text, dialect=DIALECT).sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001 - an engine type sqlglot does not know
        return "UNKNOWN"


_SCHEMAS: dict[int, MappingSchema] = {}


def schema_of(snapshot: SchemaSnapshot) -> MappingSchema:
    """The snapshot as a sqlglot schema ({schema: {table: {column: type}}}), built once per
    snapshot object (type parsing is the expensive part)."""
    key = id(snapshot)
    cached = _SCHEMAS.get(key)
    if cached is None:
        mapping: dict = {}
        for table in snapshot.tables:
            if table.columns:
                mapping.setdefault(table.schema_name.lower(), {})[table.short_name.lower()] = {
                    c.name: _type(c.type) for c in table.columns
                }
        cached = _SCHEMAS[key] = MappingSchema(mapping, dialect=DIALECT, normalize=True)
        weakref.finalize(snapshot, _SCHEMAS.pop, key, None)
    return cached


def signature(tree: exp.Expression, snapshot: SchemaSnapshot) -> Signature | None:
    """(name, type) of each output column, or None when sqlglot cannot derive it."""
    try:
        # Not quoted: the signature reads names (alias_or_name), which quoting leaves alone.
        qualified = qualify(
            tree.copy(), schema=schema_of(snapshot), dialect=DIALECT, db="public",
            validate_qualify_columns=False, identify=False, quote_identifiers=False,
        )
        typed = annotate_types(qualified, schema=schema_of(snapshot), dialect=DIALECT)
    except Exception:  # noqa: BLE001 - qualify gives up on some valid SQL; no signature then
        return None
    if not isinstance(typed, exp.Query):
        return None
    selects = typed.selects
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in selects):
        return None  # a star the schema could not expand
    # The types belong to this copy of the tree: written without a copy of their own.
    return [(s.alias_or_name.lower(), s.type.sql(dialect=DIALECT, copy=False) if s.type else "UNKNOWN")
            for s in selects]


__all__ = ["Signature", "schema_of", "signature"]
