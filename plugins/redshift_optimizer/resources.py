"""Named resources under include/: SQL files per engine, and prompts.

Every SQL statement the product runs is a file ``include/sql/<engine>/<name>.sql``. The local
engine (PostgreSQL with Redshift-shaped system views) reads the Redshift files unless it has
its own file of the same name, so the Redshift SQL is what the tests execute.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from redshift_optimizer.errors import ConfigurationError

# The engines whose files an engine reads, in order.
ENGINE_SQL_SEARCH = {
    "redshift": ("redshift",),
    "postgres": ("postgres", "redshift"),
}

_IDENTIFIER_PART = re.compile(r"^[^\x00]{1,127}$")


@lru_cache(maxsize=512)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sql_path(include_dir: Path, engine: str, name: str) -> Path:
    """The file that holds statement ``name`` for ``engine``."""
    try:
        folders = ENGINE_SQL_SEARCH[engine]
    except KeyError:
        raise ConfigurationError(f"unknown warehouse engine {engine!r}") from None
    for folder in folders:
        path = include_dir / "sql" / folder / f"{name}.sql"
        if path.is_file():
            return path
    raise ConfigurationError(
        f"no SQL file {name}.sql for engine {engine} under {include_dir / 'sql'}"
    )


def load_sql(include_dir: Path, engine: str, name: str) -> str:
    """The text of statement ``name`` for ``engine``."""
    return _read(sql_path(include_dir, engine, name))


def quote_identifier(name: str) -> str:
    """Quote one identifier (or a dotted schema.table) the way Redshift and PostgreSQL read it.

    The one place where SQL is assembled from names: everything else is a file.
    """
    parts = name.split(".")
    for part in parts:
        if not _IDENTIFIER_PART.match(part):
            raise ValueError(f"not a valid identifier: {name!r}")
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)
