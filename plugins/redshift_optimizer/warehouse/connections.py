"""The three warehouse implementations and the factory that picks one from a connection."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from redshift_optimizer.errors import ConfigurationError, WarehouseError
from redshift_optimizer.warehouse import Rows, Warehouse, to_pyformat

# Tag that marks the product's own statements, so slow-query collection skips them.
STATEMENT_TAG = "/* redshift-optimizer */"


def _plain(value: Any) -> Any:
    """Driver values to JSON-friendly Python (Decimal to float or int)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class DbApiWarehouse(Warehouse):
    """Redshift (redshift_connector) or PostgreSQL (psycopg2) through a DB-API hook."""

    def __init__(self, hook: Any, engine: str, conn_id: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.hook = hook
        self.engine = engine
        self.conn_id = conn_id
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = self.hook.get_conn()
            except Exception as exc:  # noqa: BLE001 - every driver raises its own type
                raise WarehouseError(
                    f"cannot connect to the warehouse of connection '{self.conn_id}': "
                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
                ) from None
            self._conn.autocommit = True
        return self._conn

    def _execute(self, sql: str, params: dict[str, Any]) -> Rows:
        conn = self._connection()
        cursor = conn.cursor()
        if hasattr(cursor, "paramstyle"):
            # redshift_connector binds ':name' itself (server-side), leaving quotes alone.
            cursor.paramstyle = "named"
            text = sql
        else:  # psycopg2 interpolates pyformat on the client
            text = to_pyformat(sql)
        try:
            cursor.execute(f"{STATEMENT_TAG}\n{text}", params)
            if cursor.description is None:
                return []
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, map(_plain, row))) for row in cursor.fetchall()]
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(
                f"warehouse '{self.conn_id}' refused a statement: {str(exc).strip()}"
            ) from exc
        finally:
            cursor.close()

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

    def _execute(self, sql: str, params: dict[str, Any]) -> Rows:
        from redshift_optimizer.warehouse import parameter_names

        used = parameter_names(sql)
        parameters = [{"name": k, "value": str(params[k])} for k in used] or None
        try:
            output = self.hook.execute_query(
                sql=f"{STATEMENT_TAG}\n{sql}",
                database=self.database,
                parameters=parameters,
                wait_for_completion=False,
                **self.target,
            )
            statement_id = getattr(output, "statement_id", output)
            self._wait(statement_id)
            return self._fetch(statement_id)
        except WarehouseError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise WarehouseError(
                f"Redshift Data API (connection '{self.conn_id}') failed: {str(exc).strip()}"
            ) from exc

    def _wait(self, statement_id: str) -> None:
        client = self.hook.conn
        while True:
            resp = client.describe_statement(Id=statement_id)
            status = resp["Status"]
            if status == "FINISHED":
                return
            if status in ("FAILED", "ABORTED"):
                raise WarehouseError(
                    f"Redshift Data API statement {status.lower()} (connection '{self.conn_id}'): "
                    f"{resp.get('Error', 'no error message')}"
                )
            time.sleep(self.poll_interval)

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


def warehouse_from_connection(conn_id: str, include_dir: Path, poll_interval: float = 1.0) -> Warehouse:
    """The warehouse behind Airflow connection ``conn_id``; its type chooses the mode."""
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - Airflow 3.0 and 3.x raise different types
        raise ConfigurationError(
            f"Airflow connection '{conn_id}' is not defined (setting warehouse_conn_id); "
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
