"""The demo's SQL statements: every one is a file under ``sql/``, read and run by name.

Identifiers are the only thing put into a statement from Python, through psycopg2's
``sql.Identifier`` (``{table}``-style placeholders); values go in as psycopg2 ``%(name)s``
parameters.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from psycopg2 import sql

SQL_DIR = Path(__file__).resolve().parent / "sql"


@lru_cache(maxsize=None)
def statement_text(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def statement(name: str, **identifiers: sql.Composable) -> str | sql.Composed:
    """Statement ``name`` with its ``{placeholder}`` identifiers filled in."""
    text = statement_text(name)
    return sql.SQL(text).format(**identifiers) if identifiers else text


def execute(cur, name: str, params: dict | None = None, **identifiers: sql.Composable) -> None:
    """Run statement ``name`` on ``cur`` with psycopg2 ``params``."""
    cur.execute(statement(name, **identifiers), params)


def identifier(qualified_name: str) -> sql.Identifier:
    """A quoted (schema-qualified) identifier: ``tpch.lineitem`` -> ``"tpch"."lineitem"``."""
    return sql.Identifier(*qualified_name.split("."))
