"""What went wrong when the warehouse refused a statement, without repeating what it said.

A database's error text echoes values: ``invalid input syntax for type integer: "root:x:0:0..."``
carries the content of whatever the statement tried to cast. So a refused statement is
described by its class (:class:`ErrorClass`), its SQLSTATE where the driver gives one, and,
for a permission error, the grant or IAM action that is missing; never by the text itself
(:func:`classify`, :meth:`WarehouseFailure.summary`).

SQLSTATE comes from psycopg2 (``pgcode``), psycopg 3 (``sqlstate``), redshift_connector (field ``C`` of the error
response), or, for the Data API, which gives only text, from patterns of that text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any


class ErrorClass(str, Enum):
    """The classes a refused statement is reported in."""

    SYNTAX = "syntax"          # does not parse, or names something that does not exist
    PERMISSION = "permission"  # the warehouse user (or the IAM identity) lacks a grant
    TIMEOUT = "timeout"        # cancelled: over its time budget
    OTHER = "other"            # everything else (data errors, resources, connection)


# SQLSTATE (or its two-character class) to error class; the first match wins.
_SQLSTATE = (
    ("42501", ErrorClass.PERMISSION),  # insufficient_privilege
    ("25006", ErrorClass.PERMISSION),  # read_only_sql_transaction: the statement tried to write
    ("28", ErrorClass.PERMISSION),     # invalid authorization
    ("57014", ErrorClass.TIMEOUT),     # query_canceled (statement timeout or cancel request)
    ("42", ErrorClass.SYNTAX),         # syntax error or access rule violation (undefined names)
)
# The Data API gives text only: patterns of Redshift's and PostgreSQL's messages.
_TEXT = (
    (re.compile(r"permission denied|must be (?:a )?superuser|not authorized|AccessDenied|"
                r"read-only transaction", re.I), ErrorClass.PERMISSION),
    (re.compile(r"statement timeout|canceling statement|query cancelled|cancelled on user's request|"
                r"timed out", re.I), ErrorClass.TIMEOUT),
    (re.compile(r"syntax error|does not exist|not supported|unsupported|invalid (?:operation|reference)|"
                r"cannot be used|ambiguous", re.I), ErrorClass.SYNTAX),
)
_SQLSTATE_TEXT = re.compile(r"\b(?:SQLSTATE|code)[:= ]+\(?([0-9A-Z]{5})\b")
# Names in permission messages: identifiers only (never free text from the message).
_PART = r'(?:"[\w$]+"|[A-Za-z_][\w$]*)'
_NAME = rf"({_PART}(?:\.{_PART}){{0,2}})(?![\w$\"])"
_DENIED_RELATION = re.compile(rf"permission denied for (?:relation|table|view|materialized view) {_NAME}", re.I)
_DENIED_SCHEMA = re.compile(rf"permission denied for schema {_NAME}", re.I)
_DENIED_FUNCTION = re.compile(rf"permission denied for function {_NAME}", re.I)
_DENIED_DATABASE = re.compile(rf"permission denied for database {_NAME}", re.I)
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "redshift_system")  # the last: the local stand-in's
_SYSTEM_NAME = re.compile(r"^(?:pg_catalog\.|information_schema\.)?\"?(?:sys_|svv_|svl_|stl_|stv_|svcs_|pg_)", re.I)


@dataclass(frozen=True)
class WarehouseFailure:
    """A refused statement, described without the warehouse's words."""

    error_class: ErrorClass
    sqlstate: str | None = None
    missing: str | None = None  # the grant or IAM action that would let it run

    def summary(self) -> str:
        """``permission error (SQLSTATE 42501); missing: GRANT ...``: safe to store and show."""
        text = f"{self.error_class.value} error"
        if self.sqlstate:
            text += f" (SQLSTATE {self.sqlstate})"
        if self.missing:
            text += f"; missing: {self.missing}"
        return text


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE a driver error carries, if any (psycopg2, redshift_connector, or text)."""
    for attribute in ("pgcode", "sqlstate"):  # psycopg2, psycopg 3
        code = getattr(exc, attribute, None)
        if isinstance(code, str) and code:
            return code
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, dict) and isinstance(arg.get("C"), str):
            return arg["C"]
    match = _SQLSTATE_TEXT.search(str(exc))
    return match.group(1) if match else None


def _class_of(sqlstate: str | None, text: str) -> ErrorClass:
    if sqlstate:
        for prefix, error_class in _SQLSTATE:
            if sqlstate.startswith(prefix):
                return error_class
        if sqlstate[:2] in ("22", "23", "53", "54", "55", "58", "XX", "08", "0A", "P0"):
            return ErrorClass.OTHER
    for pattern, error_class in _TEXT:
        if pattern.search(text):
            return error_class
    return ErrorClass.OTHER


def missing_grant(text: str, user: str, *, operation: str | None = None) -> str | None:
    """The grant (or IAM action) a permission error asks for, from the error's text: only
    identifiers are taken from it. ``operation`` is the Data API call that was denied."""
    if operation and re.search(r"AccessDenied|not authorized", text, re.I):
        action = f"redshift-data:{operation}"
        if re.search(r"GetCredentials|GetClusterCredentials|credentials", text, re.I):
            action += (" and redshift-serverless:GetCredentials (Serverless) or redshift:GetClusterCredentials"
                       " (provisioned)")
        return f"IAM permission {action} for the AWS identity of the connection"
    match = _DENIED_RELATION.search(text)
    if match:
        name = match.group(1)
        if _SYSTEM_NAME.match(name):
            return f"GRANT ROLE sys:monitor TO {user} (reads the system views of every user)"
        shown = name if "." in name else f"<schema>.{name}"
        return f"GRANT SELECT ON {shown} TO {user}"
    match = _DENIED_SCHEMA.search(text)
    if match:
        if match.group(1).strip('"').lower() in _SYSTEM_SCHEMAS:
            return f"GRANT ROLE sys:monitor TO {user} (reads the system views of every user)"
        return f"GRANT USAGE ON SCHEMA {match.group(1)} TO {user}"
    match = _DENIED_DATABASE.search(text)
    if match:
        return f"GRANT CONNECT ON DATABASE {match.group(1)} TO {user}"
    match = _DENIED_FUNCTION.search(text)
    if match:
        return f"GRANT EXECUTE ON FUNCTION {match.group(1)} TO {user}"
    if re.search(r"must be (?:a )?superuser|sys:monitor|system table", text, re.I):
        return f"GRANT ROLE sys:monitor TO {user} (instead of superuser)"
    if re.search(r"read-only transaction", text, re.I):
        return "nothing: the statement tried to write inside a read-only transaction"
    return None


def classify(exc: BaseException, user: str = "<the connection's database user>",
             operation: str | None = None) -> WarehouseFailure:
    """The class, SQLSTATE and missing grant of a driver or AWS client error."""
    text = str(exc)
    code = None
    response = getattr(exc, "response", None)
    if isinstance(response, dict):  # botocore ClientError
        code = (response.get("Error") or {}).get("Code")
        operation = operation or getattr(exc, "operation_name", None)
    if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
        return WarehouseFailure(ErrorClass.PERMISSION, None,
                                missing_grant(f"AccessDenied {text}", user, operation=operation or "ExecuteStatement"))
    sqlstate = sqlstate_of(exc)
    error_class = _class_of(sqlstate, text)
    missing = missing_grant(text, user, operation=operation) if error_class is ErrorClass.PERMISSION else None
    return WarehouseFailure(error_class, sqlstate, missing)


def classify_text(text: str, user: str = "<the connection's database user>") -> WarehouseFailure:
    """Like :func:`classify`, for an error known only by its text (a failed Data API statement)."""
    return classify(Exception(text), user)


def describe_user(conn: Any) -> str:
    """The login of an Airflow connection, quoted for a GRANT, or a placeholder naming it."""
    login = getattr(conn, "login", None)
    if login:
        return '"' + str(login).replace('"', '""') + '"'
    conn_id = getattr(conn, "conn_id", None)
    return f"<the database user of connection '{conn_id}'>" if conn_id else "<the connection's database user>"


__all__ = ["ErrorClass", "WarehouseFailure", "classify", "classify_text", "describe_user", "missing_grant",
           "sqlstate_of"]
