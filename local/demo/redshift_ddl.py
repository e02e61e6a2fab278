"""Read the demo's Redshift CREATE TABLE files: the declared physical design, and the
PostgreSQL DDL that stands in for them on the local engine.

sqlglot's redshift dialect parses DISTSTYLE / DISTKEY / COMPOUND SORTKEY / ENCODE, but gives an
INTERLEAVED SORTKEY statement back as an opaque Command, so that one clause is read with a
regular expression and removed before parsing. Its PostgreSQL generator raises on the
Redshift-only properties, so they are removed from the tree before generating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

# Redshift stores VARCHAR(MAX) as VARCHAR(65535); PostgreSQL has no MAX.
REDSHIFT_VARCHAR_MAX = 65535

_INTERLEAVED_SORTKEY = re.compile(r"\bINTERLEAVED\s+SORTKEY\s*\(([^)]*)\)", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnDesign:
    """One column as declared: Redshift type, compression and place in the sort key."""

    name: str
    data_type: str
    encoding: str
    nullable: bool
    sortkey_position: int


@dataclass(frozen=True)
class TableDesign:
    """One table as declared in Redshift DDL, with its PostgreSQL stand-in."""

    schema: str
    name: str
    columns: tuple[ColumnDesign, ...]
    diststyle: str
    distkey: str | None
    sortkey_type: str | None
    sortkeys: tuple[str, ...]
    primary_key: tuple[str, ...]
    postgres_ddl: str

    @property
    def qualified_name(self) -> str:
        """schema.table"""
        return f"{self.schema}.{self.name}"


def read_table_ddl(path: Path) -> TableDesign:
    """Parse one Redshift CREATE TABLE file."""
    return parse_table_ddl(path.read_text(encoding="utf-8"))


def parse_table_ddl(sql: str) -> TableDesign:
    """Parse one Redshift CREATE TABLE statement into its design and PostgreSQL DDL."""
    interleaved = _INTERLEAVED_SORTKEY.search(sql)
    if interleaved:
        sql = sql[: interleaved.start()] + sql[interleaved.end() :]
    create = sqlglot.parse_one(sql, read="redshift")
    if not isinstance(create, exp.Create) or create.kind != "TABLE":
        raise ValueError(f"not a CREATE TABLE statement: {sql[:80]!r}")

    table = create.this.this
    properties = create.args.get("properties")
    props = properties.expressions if properties else []
    diststyle = _property_value(props, exp.DistStyleProperty)
    distkey = _property_value(props, exp.DistKeyProperty)
    if interleaved:
        sortkey_type = "INTERLEAVED"
        sortkeys = tuple(c.strip().lower() for c in interleaved.group(1).split(","))
    else:
        sortkey_type, sortkeys = _sortkey(props)
    if diststyle is None:
        # Redshift's own defaults: a DISTKEY alone implies KEY, nothing at all means AUTO.
        diststyle = "KEY" if distkey else "AUTO"

    primary_key: tuple[str, ...] = ()
    columns = []
    for item in create.this.expressions:
        if isinstance(item, exp.PrimaryKey):
            primary_key = tuple(e.name.lower() for e in item.expressions)
        elif isinstance(item, exp.ColumnDef):
            columns.append(item)
    column_names = [c.name.lower() for c in columns]
    for key in (distkey, *sortkeys, *primary_key):
        if key is not None and key not in column_names:
            raise ValueError(f"{table.sql()}: key column {key!r} is not a column of the table")

    return TableDesign(
        schema=table.args["db"].name.lower(),
        name=table.name.lower(),
        columns=tuple(
            ColumnDesign(
                name=c.name.lower(),
                data_type=c.args["kind"].sql("redshift"),
                encoding=_encoding(c, table),
                nullable=not _has_not_null(c),
                sortkey_position=sortkeys.index(c.name.lower()) + 1
                if c.name.lower() in sortkeys
                else 0,
            )
            for c in columns
        ),
        diststyle=diststyle,
        distkey=distkey,
        sortkey_type=sortkey_type,
        sortkeys=sortkeys,
        primary_key=primary_key,
        postgres_ddl=to_postgres_create(create).sql("postgres", comments=False),
    )


def to_postgres_create(create: exp.Create) -> exp.Create:
    """The CREATE TABLE without what PostgreSQL lacks: ENCODE, DIST/SORT keys, VARCHAR(MAX).

    The primary key is dropped too: the loader adds it after the data, which is faster.
    """
    pg = create.copy()
    pg.set("properties", None)
    pg.this.set("expressions", [e for e in pg.this.expressions if not isinstance(e, exp.PrimaryKey)])
    for column in pg.find_all(exp.ColumnDef):
        column.set(
            "constraints",
            [
                c
                for c in column.constraints
                if not isinstance(c.args.get("kind"), exp.EncodeColumnConstraint)
            ],
        )
    for data_type in pg.find_all(exp.DataType):
        params = data_type.expressions
        if len(params) == 1 and params[0].name.upper() == "MAX":
            params[0].replace(exp.DataTypeParam(this=exp.Literal.number(REDSHIFT_VARCHAR_MAX)))
    return pg


def _property_value(props: list[exp.Expr], kind: type) -> str | None:
    for prop in props:
        if isinstance(prop, kind):
            value = prop.this.name
            return value.upper() if kind is exp.DistStyleProperty else value.lower()
    return None


def _sortkey(props: list[exp.Expr]) -> tuple[str | None, tuple[str, ...]]:
    for prop in props:
        if isinstance(prop, exp.SortKeyProperty):
            # A bare SORTKEY (...) is compound in Redshift.
            return "COMPOUND", tuple(i.name.lower() for i in prop.this)
    return None, ()


def _encoding(column: exp.ColumnDef, table: exp.Table) -> str:
    for constraint in column.constraints:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.EncodeColumnConstraint):
            value = kind.this.name.upper()
            return "RAW" if value == "NONE" else value
    # Redshift would pick an encoding itself (ENCODE AUTO); the demo states every one so the
    # recorded design is exactly what the file says.
    raise ValueError(f"{table.sql()}.{column.name}: the demo DDL must state ENCODE for every column")


def _has_not_null(column: exp.ColumnDef) -> bool:
    return any(
        isinstance(c.args.get("kind"), exp.NotNullColumnConstraint)
        and not c.args["kind"].args.get("allow_null")
        for c in column.constraints
    )
