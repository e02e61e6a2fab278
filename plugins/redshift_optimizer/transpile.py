"""Redshift SQL for another engine (the local PostgreSQL stand-in), closing the gaps that
sqlglot's Redshift -> PostgreSQL transpilation leaves (shared/docs/field-notes.md):

- ``LISTAGG(x, ',') WITHIN GROUP (ORDER BY y)`` comes out as ``STRING_AGG ... WITHIN GROUP``,
  which PostgreSQL rejects: it becomes ``STRING_AGG(x, ',' ORDER BY y)``;
- ``APPROXIMATE COUNT(DISTINCT x)`` comes out as ``APPROX_DISTINCT(x)``: exact COUNT(DISTINCT x);
- one-argument ``TRUNC(ts)`` on a timestamp (Redshift: the date) stays ``TRUNC``, which
  PostgreSQL only has for numbers: ``CAST(DATE_TRUNC('day', ts) AS DATE)``;
- DISTKEY / SORTKEY / DISTSTYLE / ENCODE in DDL make the generator raise: they are dropped.

Each fix is a function from tree to tree.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.parsing import DIALECT

_NUMERIC_TYPES = ("INT", "BIGINT", "SMALLINT", "DECIMAL", "NUMERIC", "REAL", "FLOAT", "DOUBLE")
_STORAGE_PROPERTIES = (exp.DistKeyProperty, exp.SortKeyProperty, exp.DistStyleProperty)


def listagg_to_string_agg(tree: exp.Expression) -> exp.Expression:
    """LISTAGG ... WITHIN GROUP (ORDER BY ...) as PostgreSQL's STRING_AGG(x, sep ORDER BY ...)."""

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.GroupConcat):
            concat = node.this.copy()
            order = node.expression
            if isinstance(order, exp.Order):
                concat.set("this", exp.Order(this=concat.this, expressions=order.expressions))
            if concat.args.get("separator") is None:
                concat.set("separator", exp.Literal.string(""))
            return concat
        if isinstance(node, exp.GroupConcat) and node.args.get("separator") is None:
            node.set("separator", exp.Literal.string(""))  # Redshift's default: no delimiter
        return node

    return tree.transform(fix)


def approximate_to_exact(tree: exp.Expression) -> exp.Expression:
    """APPROXIMATE COUNT(DISTINCT x) as COUNT(DISTINCT x) (PostgreSQL has no HyperLogLog)."""
    return tree.transform(
        lambda n: exp.Count(this=exp.Distinct(expressions=[n.this.copy()]))
        if isinstance(n, exp.ApproxDistinct) else n
    )


def _numeric(node: exp.Expression, snapshot: SchemaSnapshot | None) -> bool:
    if isinstance(node, exp.Literal) and not node.is_string:
        return True
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Round, exp.Abs)):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this.name.upper().startswith(_NUMERIC_TYPES) if hasattr(node.to.this, "name") else False
    if isinstance(node, exp.Column) and snapshot is not None:
        for table in snapshot.tables:
            column = table.column(node.name)
            if column is not None and (not node.table or node.table.lower() in (
                table.short_name.lower(), table.table_name.lower())):
                return column.type.upper().startswith(_NUMERIC_TYPES)
    return False


def trunc_timestamp_to_date(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """One-argument TRUNC of a timestamp (Redshift returns its date) as a date cast."""

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Trunc) and node.args.get("decimals") is None and not _numeric(node.this, snapshot):
            truncated = exp.TimestampTrunc(this=node.this.copy(), unit=exp.var("DAY"))
            return exp.Cast(this=truncated, to=exp.DataType.build("DATE"))
        return node

    return tree.transform(fix)


def strip_storage_ddl(tree: exp.Expression) -> exp.Expression:
    """DISTKEY, SORTKEY, DISTSTYLE and ENCODE removed from CREATE TABLE."""
    for node in list(tree.find_all(*_STORAGE_PROPERTIES, exp.EncodeColumnConstraint)):
        target = node.parent if isinstance(node, exp.EncodeColumnConstraint) else node
        target.pop()
    for properties in list(tree.find_all(exp.Properties)):
        if not properties.expressions:
            properties.pop()
    return tree


def to_postgres(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """A Redshift tree made ready for PostgreSQL generation (the tree is copied)."""
    tree = tree.copy()
    tree = listagg_to_string_agg(tree)
    tree = approximate_to_exact(tree)
    tree = trunc_timestamp_to_date(tree, snapshot)
    return strip_storage_ddl(tree)


def transpile(sql: str, engine: str, snapshot: SchemaSnapshot | None = None) -> str:
    """Redshift SQL for ``engine`` ("redshift": unchanged; "postgres": transpiled and fixed)."""
    if engine == "redshift":
        return sql
    if engine != "postgres":
        raise ValueError(f"no transpilation to engine {engine!r}")
    statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    return ";\n".join(to_postgres(s, snapshot).sql(dialect="postgres") for s in statements)


__all__ = [
    "approximate_to_exact",
    "listagg_to_string_agg",
    "strip_storage_ddl",
    "to_postgres",
    "transpile",
    "trunc_timestamp_to_date",
]
