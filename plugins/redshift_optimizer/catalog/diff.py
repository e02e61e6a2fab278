"""What changed between two schema snapshots: the lake's diff object."""

from __future__ import annotations

from redshift_optimizer.models.lake import (
    ColumnAlteration,
    ColumnChange,
    DesignChange,
    SchemaDiff,
    SchemaSnapshot,
)

_COLUMN_FIELDS = ("type", "encoding", "nullable", "dist_key", "sort_key_position")
_DESIGN_FIELDS = ("dist_style", "dist_key", "sort_keys", "sort_key_type", "primary_key")


def diff_snapshots(old: SchemaSnapshot, new: SchemaSnapshot, from_date: str, to_date: str) -> SchemaDiff:
    """Tables and columns added, removed or altered, and physical design changes."""
    old_tables = {t.table_name: t for t in old.tables}
    new_tables = {t.table_name: t for t in new.tables}
    diff = SchemaDiff(
        from_version=old.schema_version,
        to_version=new.schema_version,
        from_date=from_date,
        to_date=to_date,
        tables_added=sorted(set(new_tables) - set(old_tables)),
        tables_removed=sorted(set(old_tables) - set(new_tables)),
    )
    for name in sorted(set(old_tables) & set(new_tables)):
        before, after = old_tables[name], new_tables[name]
        old_columns = {c.name: c for c in before.columns}
        new_columns = {c.name: c for c in after.columns}
        diff.columns_added += [
            ColumnChange(table=name, column=c, type=new_columns[c].type)
            for c in new_columns if c not in old_columns
        ]
        diff.columns_removed += [
            ColumnChange(table=name, column=c, type=old_columns[c].type)
            for c in old_columns if c not in new_columns
        ]
        for column in (c for c in new_columns if c in old_columns):
            changes = _changes(old_columns[column], new_columns[column], _COLUMN_FIELDS)
            if changes:
                diff.columns_altered.append(ColumnAlteration(table=name, column=column, changes=changes))
        design = _changes(before, after, _DESIGN_FIELDS)
        if design:
            diff.design_changed.append(DesignChange(table=name, changes=design))
    return diff


def _changes(before: object, after: object, fields: tuple[str, ...]) -> dict[str, list]:
    return {
        field: [getattr(before, field), getattr(after, field)]
        for field in fields
        if getattr(before, field) != getattr(after, field)
    }


def summarize_diff(diff: SchemaDiff) -> str:
    """A few lines a person can read in an alert."""
    parts = []
    if diff.tables_added:
        parts.append(f"tables added: {', '.join(diff.tables_added)}")
    if diff.tables_removed:
        parts.append(f"tables removed: {', '.join(diff.tables_removed)}")
    for label, items in (("columns added", diff.columns_added), ("columns removed", diff.columns_removed)):
        if items:
            parts.append(f"{label}: " + ", ".join(f"{c.table}.{c.column}" for c in items))
    if diff.columns_altered:
        parts.append("columns altered: " + ", ".join(
            f"{c.table}.{c.column} ({', '.join(f'{k} {v[0]} -> {v[1]}' for k, v in c.changes.items())})"
            for c in diff.columns_altered
        ))
    if diff.design_changed:
        parts.append("design changed: " + ", ".join(
            f"{d.table} ({', '.join(d.changes)})" for d in diff.design_changed
        ))
    return "\n".join(parts)
