"""Warehouse access: one small interface, three implementations chosen by the connection.

- ``aws`` connection with ``cluster_identifier`` or ``workgroup_name`` in its extra: Redshift
  through the Data API (RedshiftDataHook). No driver, no open port: what MWAA wants.
- ``redshift`` connection: Redshift over its wire protocol (RedshiftSQLHook).
- ``postgres`` connection: PostgreSQL, the local stand-in (PostgresHook).

Everything upstream calls :meth:`Warehouse.run` with a statement name and parameters and
gets rows as dicts. Statements are files under ``include/sql/`` with ``:name`` parameters.

Every statement goes through :meth:`Warehouse.query`, which logs it (logger
``redshift_optimizer.warehouse``, so it shows in the Airflow task log) with its file, the
backend pid or Data API statement id, its duration and row count, and cancels it in the
warehouse when the task stops or the code running it raises (``warehouse.inflight``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Mapping

from redshift_optimizer.errors import ConfigurationError, WarehouseError
from redshift_optimizer.resources import load_sql, sql_path
from redshift_optimizer.warehouse import inflight
from redshift_optimizer.warehouse.inflight import RunningStatement, StatementCancelled, stop_statements

Rows = list[dict[str, Any]]
log = logging.getLogger("redshift_optimizer.warehouse")
_FIRST_WORD = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*([A-Za-z]+)", re.S)

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


def empty_strings_inline(sql: str, names: set[str]) -> str:
    """``:name`` parameters in ``names`` replaced by the literal ``''``: the Data API refuses
    a parameter whose value is empty (minimum length 1), and ``''`` is all such a value can be."""

    def replace(match: re.Match[str]) -> str:
        return "''" if match.group("param") in names else match.group(0)

    return _TOKENS.sub(replace, sql)


def fill_template(sql: str, template: Mapping[str, str]) -> str:
    """Replace ``{{ name }}`` slots (identifiers quoted by the caller) in a statement."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in template:
            raise ConfigurationError(f"SQL template slot {{{{{key}}}}} has no value")
        return template[key]

    return _TEMPLATE.sub(replace, sql)


def inline_label(sql: str) -> str:
    """How a statement that is no file (a submitted query, its EXPLAIN) is named in the log:
    its first keyword and a digest of its text, never the text (it may carry literals)."""
    match = _FIRST_WORD.match(sql)
    keyword = match.group(1).upper() if match else "SQL"
    return f"inline {keyword} statement (sha1 {hashlib.sha1(sql.encode()).hexdigest()[:10]})"


class Warehouse(ABC):
    """Runs named SQL files and returns rows as dicts. Counts its round trips."""

    #: which SQL files this engine reads ("redshift" or "postgres")
    engine: str

    #: the Airflow connection it was opened from (named in the log and in errors)
    conn_id: str = "warehouse"

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
        sql = self.statement(name, template or {})
        label = sql_path(self.include_dir, self.engine, name).relative_to(self.include_dir).as_posix()
        return self.query(sql, params, label=label)

    def query(self, sql: str, params: Mapping[str, Any] | None = None, timeout_s: float | None = None,
              *, label: str | None = None) -> Rows:
        """Run one statement (one round trip) and return its rows as dicts. With
        ``timeout_s``, the statement is cancelled from outside (another thread, or the Data
        API's CancelStatement) once it has run that long, whatever it set inside: a
        WarehouseError of class ``timeout``.

        Logged at start and end under ``label`` (:meth:`run` passes the file; otherwise
        :func:`inline_label`). If the code running it raises, or the process gets SIGTERM,
        it is cancelled in the warehouse first (``warehouse.inflight``); once the process is
        stopping, it raises :class:`StatementCancelled`."""
        params = dict(params or {})
        missing = [p for p in parameter_names(sql) if p not in params]
        if missing:
            raise ConfigurationError(f"SQL parameter(s) without a value: {', '.join(missing)}")
        statement = inflight.begin(label or inline_label(sql), self.conn_id)
        guarded = inflight.guard_main_thread()
        self.round_trips += 1
        try:
            rows, affected = self._execute(sql, params, timeout_s, statement)
        except BaseException as exc:
            if statement.ident and not statement.settled:  # interrupted while the warehouse works on it
                statement.cancel(f"{type(exc).__name__} was raised while it ran")
                self._interrupted()
            self._log_failure(statement, exc)
            if statement.cancelled is not None and not isinstance(exc, StatementCancelled) \
                    and inflight.stopping() is not None:
                raise StatementCancelled(
                    f"{statement.where()} cancelled in the warehouse: {statement.cancelled}") from exc
            raise
        finally:
            if guarded:
                inflight.unguard_main_thread()
            inflight.end(statement)
        log.info("finished %s in %.2f s: %s", statement.where(), statement.elapsed(), _count(rows, affected))
        return rows

    @staticmethod
    def _log_failure(statement: RunningStatement, exc: BaseException) -> None:
        # A WarehouseError's summary never repeats the warehouse's words (they may echo values).
        what = exc.failure.summary() if isinstance(exc, WarehouseError) and exc.failure else type(exc).__name__
        if statement.cancelled:
            what += f"; cancelled in the warehouse: {statement.cancelled}"
        if statement.ident:
            log.warning("failed %s after %.2f s: %s", statement.where(), statement.elapsed(), what)
        else:
            log.warning("failed %s before it started: %s", statement.where(), what)

    @abstractmethod
    def _execute(self, sql: str, params: dict[str, Any], timeout_s: float | None,
                 statement: RunningStatement) -> tuple[Rows, int | None]:
        """Run one statement: its rows, and the rows it affected where the warehouse says
        (None otherwise). Implementations call ``statement.submitted(ident, cancel)`` once
        it is on its way and ``statement.answered()`` once the warehouse has answered,
        translate driver errors to WarehouseError (with its classification,
        ``warehouse.errors``) and cancel it after ``timeout_s``."""

    def _interrupted(self) -> None:
        """The code running a statement raised before the warehouse answered (the statement
        has been cancelled): drop what holds the session's unknown state."""

    def close(self) -> None:
        """Release connections, if any are held."""

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count(rows: Rows, affected: int | None) -> str:
    if rows or affected is None or affected < 0:
        return f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    return f"no result set, {affected} row{'' if affected == 1 else 's'} affected"


from redshift_optimizer.warehouse.connections import warehouse_from_connection  # noqa: E402

__all__ = [
    "Rows",
    "RunningStatement",
    "StatementCancelled",
    "Warehouse",
    "fill_template",
    "inline_label",
    "parameter_names",
    "stop_statements",
    "to_pyformat",
    "warehouse_from_connection",
]
