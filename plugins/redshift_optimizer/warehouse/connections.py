"""The three warehouse implementations and the factory that picks one from a connection."""

from __future__ import annotations

import logging
import struct
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from redshift_optimizer.errors import ConfigurationError, WarehouseError
from redshift_optimizer.warehouse import Rows, Warehouse, to_pyformat
from redshift_optimizer.warehouse.inflight import RunningStatement
from redshift_optimizer.warehouse.errors import ErrorClass, WarehouseFailure, classify, classify_text, describe_user

log = logging.getLogger(__name__)

# Tag that marks the product's own statements, so slow-query collection skips them.
STATEMENT_TAG = "/* redshift-optimizer */"


def _driver_pid(conn: Any) -> int | None:
    """The backend pid the driver already knows, without a round trip (None if it does not say)."""
    info = getattr(conn, "info", None)  # psycopg 3
    if isinstance(getattr(info, "backend_pid", None), int):
        return info.backend_pid
    if callable(getattr(conn, "get_backend_pid", None)):  # psycopg2
        return int(conn.get_backend_pid())
    key_data = getattr(conn, "_backend_key_data", None)  # redshift_connector: BackendKeyData (pid, key)
    if isinstance(key_data, (bytes, bytearray)) and len(key_data) >= 4:
        return struct.unpack("!i", bytes(key_data[:4]))[0]
    return None


def _rowcount(cursor: Any) -> int | None:
    count = getattr(cursor, "rowcount", None)
    return count if isinstance(count, int) and count >= 0 else None


def _is_driver_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the driver reporting the warehouse's answer or a broken connection
    (every DB-API driver derives its errors from a class named Error)."""
    return any(cls.__name__ == "Error" and cls.__module__.split(".")[0] in ("psycopg", "psycopg2", "redshift_connector")
               for cls in type(exc).__mro__)


def _result_rows(description: dict[str, Any]) -> int | None:
    """The rows a finished Data API statement affected (ResultRows; -1 means not known)."""
    count = description.get("ResultRows")
    return count if isinstance(count, int) and count >= 0 else None


def _plain(value: Any) -> Any:
    """Driver values to JSON-friendly Python (Decimal to float or int)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class DbApiWarehouse(Warehouse):
    """Redshift (redshift_connector) or PostgreSQL (psycopg 3 or psycopg2) through a DB-API hook.

    A statement with a time budget is cancelled from another thread when it overruns:
    psycopg's ``cancel_safe()`` or psycopg2's ``cancel()`` (a cancel request on its own
    socket), or, for drivers without one (redshift_connector 2.x), ``pg_cancel_backend``
    from a second connection of the same user. Nothing the statement sets inside its
    session can lift that."""

    def __init__(self, hook: Any, engine: str, conn_id: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.hook = hook
        self.engine = engine
        self.conn_id = conn_id
        self._conn: Any = None
        self._backend_pid: int | None = None
        # Re-entrant: a SIGTERM handler cancelling may interrupt this very thread holding it.
        self._lock = threading.RLock()
        self._statements = 0  # statements started
        self._running = 0  # the one a cancel may reach now (0: none)
        self._timed_out = 0  # the last one the budget timer cancelled

    def _connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = self.hook.get_conn()
            except Exception as exc:  # noqa: BLE001 - every driver raises its own type
                failure = classify(exc, self._user())
                hint = f"; missing: {failure.missing}" if failure.missing else ""
                raise WarehouseError(
                    f"cannot connect to the warehouse of connection '{self.conn_id}': "
                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}{hint}",
                    failure,
                ) from None
            self._conn.autocommit = True
            self._backend_pid = None
        return self._conn

    def _user(self) -> str:
        try:
            return describe_user(self.hook.get_connection(self.conn_id))
        except Exception:  # noqa: BLE001 - only used to word a message
            return f"<the database user of connection '{self.conn_id}'>"

    def _cursor(self, conn: Any) -> tuple[Any, bool]:
        cursor = conn.cursor()
        named = hasattr(cursor, "paramstyle")
        if named:  # redshift_connector binds ':name' itself (server-side), leaving quotes alone.
            cursor.paramstyle = "named"
        return cursor, named

    def _pid(self, conn: Any) -> int:
        """This session's backend pid (named in the log; where a cancel from a second
        connection is aimed)."""
        if self._backend_pid is None:
            self._backend_pid = _driver_pid(conn)
        if self._backend_pid is None:
            cursor, _ = self._cursor(conn)
            try:
                cursor.execute(self.statement("session_backend_pid"))
                self._backend_pid = int(cursor.fetchone()[0])
            finally:
                cursor.close()
        return self._backend_pid

    def _cancel(self, conn: Any, token: int, pid: int | None) -> None:
        """Cancel statement ``token`` if it is still the one running."""
        with self._lock:
            if self._running != token:
                return
            self._send_cancel(conn, pid)

    def _over_budget(self, conn: Any, token: int, statement: RunningStatement, timeout_s: float) -> None:
        """The timer: cancel statement ``token`` if it still runs past its budget."""
        with self._lock:
            if self._running != token:
                return
            self._timed_out = token
            if not statement.cancel(f"over its time budget of {timeout_s:g} s"):
                log.warning("cancel of a statement over its budget on '%s' failed", self.conn_id)

    def _send_cancel(self, conn: Any, pid: int | None) -> None:
        if hasattr(conn, "cancel_safe"):  # psycopg 3.2+: a cancel request from another thread
            conn.cancel_safe(timeout=10)
        elif hasattr(conn, "cancel"):  # psycopg2: the same, thread-safe by design
            conn.cancel()
        elif pid is not None:  # redshift_connector: no cancel request; a second session cancels
            second = self.hook.get_conn()
            try:
                second.autocommit = True
                cursor, named = self._cursor(second)
                sql = self.statement("cancel_backend")
                cursor.execute(sql if named else to_pyformat(sql), {"pid": pid})
                cursor.close()
            finally:
                second.close()

    def _execute(self, sql: str, params: dict[str, Any], timeout_s: float | None,
                 statement: RunningStatement) -> tuple[Rows, int | None]:
        conn = self._connection()
        pid = self._pid(conn)
        with self._lock:
            self._statements += 1
            self._running = token = self._statements
        timer = None
        if timeout_s is not None:
            timer = threading.Timer(timeout_s, self._over_budget, (conn, token, statement, timeout_s))
            timer.daemon = True
        cursor, named = self._cursor(conn)
        text = sql if named else to_pyformat(sql)  # psycopg2 interpolates pyformat on the client
        try:
            statement.submitted(f"backend pid {pid}", lambda: self._cancel(conn, token, pid))
            if timer is not None:
                timer.start()
            try:
                cursor.execute(f"{STATEMENT_TAG}\n{text}", params)
                if cursor.description is None:
                    statement.answered()
                    return [], _rowcount(cursor)
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, map(_plain, row))) for row in cursor.fetchall()]
                statement.answered()
                return rows, None
            except Exception as exc:  # noqa: BLE001
                if not _is_driver_error(exc):  # not the warehouse's answer: the statement may still run
                    statement.cancel(f"{type(exc).__name__} was raised while it ran")
                    self._interrupted()
                statement.answered()
                failure = classify(exc, self._user())
                if timer is not None and self._timed_out == token:
                    failure = WarehouseFailure(ErrorClass.TIMEOUT, failure.sqlstate)
                    raise WarehouseError(
                        f"warehouse '{self.conn_id}' cancelled a statement after its budget of {timeout_s:g} s "
                        f"(ran {statement.elapsed():.1f} s)", failure) from exc
                hint = f" (missing: {failure.missing})" if failure.missing else ""
                raise WarehouseError(
                    f"warehouse '{self.conn_id}' refused a statement: {str(exc).strip()}{hint}", failure
                ) from exc
        finally:
            if timer is not None:
                timer.cancel()
            if statement.settled:  # else interrupted: still cancellable until _interrupted()
                with self._lock:  # waits for a cancel under way: it never reaches the next statement
                    self._running = 0
                if self._conn is conn:
                    cursor.close()

    def _interrupted(self) -> None:
        # The session is mid-statement (results unread, perhaps a protocol message half
        # read): the next statement gets a new one.
        with self._lock:
            self._running = 0
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - it is being dropped
                pass
            log.info("closed the session of '%s' after an interrupted statement", self.conn_id)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_DATA_API_FIELD = ("stringValue", "longValue", "doubleValue", "booleanValue", "blobValue")


class DataApiWarehouse(Warehouse):
    """Redshift through the Data API: provisioned cluster or Serverless workgroup."""

    engine = "redshift"

    def __init__(self, hook: Any, conn_id: str, target: dict[str, Any], poll_interval: float, **kwargs: Any):
        super().__init__(**kwargs)
        self.hook = hook
        self.conn_id = conn_id
        self.target = target
        self.poll_interval = poll_interval

    def _user(self) -> str:
        if self.target.get("db_user"):
            return '"' + str(self.target["db_user"]).replace('"', '""') + '"'
        if self.target.get("secret_arn"):
            return f"<the database user of secret {self.target['secret_arn']}>"
        return "<the database user of the connection's IAM identity (IAM:<name> or IAMR:<role>)>"

    def _execute(self, sql: str, params: dict[str, Any], timeout_s: float | None,
                 statement: RunningStatement) -> tuple[Rows, int | None]:
        from redshift_optimizer.warehouse import empty_strings_inline, parameter_names

        used = parameter_names(sql)
        empty = {k for k in used if str(params[k]) == ""}
        parameters = [{"name": k, "value": str(params[k])} for k in used if k not in empty] or None
        try:
            output = self.hook.execute_query(
                sql=f"{STATEMENT_TAG}\n{empty_strings_inline(sql, empty) if empty else sql}",
                database=self.database,
                parameters=parameters,
                wait_for_completion=False,
                **self.target,
            )
            statement_id = getattr(output, "statement_id", output)
            statement.submitted(f"Data API statement {statement_id}",
                                lambda: self.hook.conn.cancel_statement(Id=statement_id))
            done = self._wait(statement_id, timeout_s, statement)
            statement.answered()
            if done.get("HasResultSet") is False:  # DDL and the like: GetStatementResult would say not found
                return [], _result_rows(done)
            return self._fetch(statement_id), None
        except WarehouseError:
            raise
        except Exception as exc:  # noqa: BLE001
            if statement.ident:  # an error while waiting (throttled, network): it may still run
                statement.cancel(f"{type(exc).__name__} was raised while it ran")
                statement.answered()
            failure = classify(exc, self._user())
            hint = f" (missing: {failure.missing})" if failure.missing else ""
            raise WarehouseError(
                f"Redshift Data API (connection '{self.conn_id}') failed: {str(exc).strip()}{hint}", failure
            ) from exc

    def _wait(self, statement_id: str, timeout_s: float | None, statement: RunningStatement) -> dict[str, Any]:
        """Until the statement finished (its description); past ``timeout_s`` it is
        cancelled (CancelStatement)."""
        client = self.hook.conn
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            resp = client.describe_statement(Id=statement_id)
            status = resp["Status"]
            if status == "FINISHED":
                return resp
            if status in ("FAILED", "ABORTED"):
                statement.answered()
                error = resp.get("Error", "no error message")
                failure = classify_text(error, self._user())
                hint = f" (missing: {failure.missing})" if failure.missing else ""
                raise WarehouseError(
                    f"Redshift Data API statement {status.lower()} (connection '{self.conn_id}'): {error}{hint}",
                    failure,
                )
            if deadline is not None and time.monotonic() >= deadline:
                statement.cancel(f"over its time budget of {timeout_s:g} s")  # CancelStatement
                statement.answered()
                raise WarehouseError(
                    f"Redshift Data API statement {statement_id} cancelled after its budget of {timeout_s:g} s "
                    f"(connection '{self.conn_id}')", WarehouseFailure(ErrorClass.TIMEOUT))
            time.sleep(self.poll_interval if deadline is None
                       else max(min(self.poll_interval, deadline - time.monotonic()), 0.01))

    def _fetch(self, statement_id: str) -> Rows:
        client = self.hook.conn
        rows: Rows = []
        token: str | None = None
        while True:
            kwargs = {"Id": statement_id, **({"NextToken": token} if token else {})}
            try:
                page = client.get_statement_result(**kwargs)
            except client.exceptions.ResourceNotFoundException:
                return rows  # a statement without a result set
            names = [c["name"] for c in page["ColumnMetadata"]]
            for record in page["Records"]:
                rows.append({n: self._value(f) for n, f in zip(names, record)})
            token = page.get("NextToken")
            if not token:
                return rows

    @staticmethod
    def _value(field: dict[str, Any]) -> Any:
        if field.get("isNull"):
            return None
        for key in _DATA_API_FIELD:
            if key in field:
                return field[key]
        return None


def warehouse_from_connection(conn_id: str, include_dir: Path, poll_interval: float = 1.0,
                              setting: str = "warehouse_conn_id") -> Warehouse:
    """The warehouse behind Airflow connection ``conn_id`` (named by ``setting``); its type
    chooses the mode."""
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - Airflow 3.0 and 3.x raise different types
        raise ConfigurationError(
            f"Airflow connection '{conn_id}' is not defined (setting {setting}); "
            "create it as type postgres, redshift, or aws with a cluster_identifier or "
            "workgroup_name extra"
        ) from None
    extra = conn.extra_dejson
    conn_type = (conn.conn_type or "").lower()
    if conn_type == "postgres":
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        return DbApiWarehouse(
            PostgresHook(postgres_conn_id=conn_id), "postgres", conn_id,
            include_dir=include_dir, database=conn.schema or "postgres", serverless=None,
        )
    if conn_type == "redshift":
        from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook

        return DbApiWarehouse(
            RedshiftSQLHook(redshift_conn_id=conn_id), "redshift", conn_id,
            include_dir=include_dir, database=conn.schema or extra.get("database", "dev"),
            serverless=bool(extra.get("serverless_work_group") or extra.get("is_serverless")),
        )
    if conn_type == "aws":
        from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook

        target = {
            key: extra[key]
            for key in ("cluster_identifier", "workgroup_name", "secret_arn", "db_user")
            if extra.get(key)
        }
        if ("cluster_identifier" in target) == ("workgroup_name" in target):
            raise ConfigurationError(
                f"connection '{conn_id}': the Data API needs exactly one of cluster_identifier "
                "or workgroup_name in the connection extra"
            )
        database = extra.get("database") or conn.schema
        if not database:
            raise ConfigurationError(f"connection '{conn_id}': set database in the connection extra")
        return DataApiWarehouse(
            RedshiftDataHook(aws_conn_id=conn_id), conn_id, target, poll_interval,
            include_dir=include_dir, database=database,
            serverless="workgroup_name" in target,
        )
    raise ConfigurationError(
        f"connection '{conn_id}' has type {conn.conn_type!r}; expected postgres, redshift or aws"
    )
