"""Warehouse access: one small interface, three implementations chosen by the connection.

- ``aws`` connection with ``cluster_identifier`` or ``workgroup_name`` in its extra: Redshift
  through the Data API (RedshiftDataHook). No driver, no open port: what MWAA wants.
- ``redshift`` connection: Redshift over its wire protocol (RedshiftSQLHook).
- ``postgres`` connection: PostgreSQL, the local stand-in (PostgresHook).

Everything upstream calls :meth:`Warehouse.run` with a statement name and parameters and
gets rows as dicts. Statements are files under ``include/sql/`` with ``:name`` parameters.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Mapping

from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.resources import load_sql

Rows = list[dict[str, Any]]

# A ':name' parameter outside quotes and comments, not a '::type' cast.
_TOKENS = re.compile(
    r"(?P<quoted>'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")"
    r"|(?P<comment>--[^\n]*|/\*.*?\*/)"
    r"|(?P<cast>::)"
    r"|:(?P<param>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<percent>%)",
    re.S,
)
_TEMPLATE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def parameter_names(sql: str) -> list[str]:
    """The ``:name`` parameters a statement uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in _TOKENS.finditer(sql):
        if match.group("param"):
            seen.setdefault(match.group("param"), None)
    return list(seen)


def to_pyformat(sql: str) -> str:
    """``:name`` parameters to DB-API ``%(name)s``, with literal ``%`` doubled."""

    def replace(match: re.Match[str]) -> str:
        if match.group("param"):
            return f"%({match.group('param')})s"
        if match.group("cast"):
            return "::"
        # DB-API drivers read every '%' as a placeholder, inside quotes and comments too.
        return match.group(0).replace("%", "%%")

    return _TOKENS.sub(replace, sql)


def fill_template(sql: str, template: Mapping[str, str]) -> str:
    """Replace ``{{ name }}`` slots (identifiers quoted by the caller) in a statement."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in template:
            raise ConfigurationError(f"SQL template slot {{{{{key}}}}} has no value")
        return template[key]

    return _TEMPLATE.sub(replace, sql)


class Warehouse(ABC):
    """Runs named SQL files and returns rows as dicts. Counts its round trips."""

    #: which SQL files this engine reads ("redshift" or "postgres")
    engine: str

    def __init__(self, *, include_dir: Path, database: str, serverless: bool | None = None):
        self.include_dir = include_dir
        self.database = database
        self.serverless = serverless
        self.round_trips = 0

    def statement(self, name: str, template: Mapping[str, str] | None = None) -> str:
        """The SQL text of statement ``name`` for this engine; with ``template``, its slots filled."""
        sql = load_sql(self.include_dir, self.engine, name)
        return sql if template is None else fill_template(sql, template)

    def run(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        template: Mapping[str, str] | None = None,
    ) -> Rows:
        """Run the named statement with ``params`` (``:name`` in the file)."""
        return self.query(self.statement(name, template or {}), params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None, timeout_s: float | None = None) -> Rows:
        """Run one statement (one round trip) and return its rows as dicts. With
        ``timeout_s``, the statement is cancelled from outside (another thread, or the Data
        API's CancelStatement) once it has run that long, whatever it set inside: a
        WarehouseError of class ``timeout``."""
        params = dict(params or {})
        missing = [p for p in parameter_names(sql) if p not in params]
        if missing:
            raise ConfigurationError(f"SQL parameter(s) without a value: {', '.join(missing)}")
        self.round_trips += 1
        return self._execute(sql, params, timeout_s)

    @abstractmethod
    def _execute(self, sql: str, params: dict[str, Any], timeout_s: float | None = None) -> Rows:
        """Run one statement; implementations translate driver errors to WarehouseError
        (with its classification, ``warehouse.errors``) and cancel it after ``timeout_s``."""

    def close(self) -> None:
        """Release connections, if any are held."""

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


from redshift_optimizer.warehouse.connections import warehouse_from_connection  # noqa: E402

__all__ = [
    "Rows",
    "Warehouse",
    "fill_template",
    "parameter_names",
    "to_pyformat",
    "warehouse_from_connection",
]
