"""The SQL guard: what user SQL may be before the product runs it on the warehouse.

Everything that runs a caller's SQL (the rewrite check today) goes through :func:`guard`. It
returns the single parsed query or raises :class:`SqlRefused` (a :class:`SqlInputError`, with
line and column) naming why. It decides from the syntax tree, never from the text:

- exactly one statement, and it is a query (SELECT, WITH, a set operation);
- read-only anywhere in the tree: no DML, DDL, command, COPY, SET, transaction or locking
  node, in CTEs and subqueries too (a data-modifying CTE behind a SELECT is a write), and no
  ``SELECT INTO``;
- every function call is on the allow-list below (:data:`ALLOWED_FUNCTIONS`): side-effect-free
  aggregates, window, math, string, date/time, conditional, type and JSON/SUPER functions of
  Redshift. Anything else is refused, known or not: server administration
  (``pg_terminate_backend``, ``pg_cancel_backend``, ``pg_reload_conf``), file and large-object
  access (``pg_read_file``, ``pg_ls_dir``, ``lo_import``), settings (``set_config``,
  ``current_setting``), sleeps, remote connections (``dblink``), sequences, advisory locks,
  user-defined functions, and schema-qualified calls (``pg_catalog.pg_sleep``). Names compare
  case-insensitively, so a quoted ``"PG_SLEEP"`` is ``pg_sleep``;
- casts only to built-in types (a user-defined type or domain can run code of its own);
- no system relation: tables of ``pg_catalog``, ``information_schema`` and the other system
  schemas, and unqualified names with a system prefix (``pg_``, ``stl_``, ``stv_``, ``svl_``,
  ``svv_``, ``sys_``). A rewrite check compares the caller's query on the caller's tables; the
  system relations hold other sessions' query text and the server's configuration, which a
  caller must not read through the product.

The decision holds for what runs: on the local PostgreSQL the SQL run is regenerated from
the checked tree; on Redshift the caller's text runs as written, so a difference between
sqlglot's Redshift lexer and Redshift's own (strings, comments) is the residual risk, which
the verification user's grants cover.

This is the first of three walls. The check also runs as a low-privilege warehouse user
(setting ``verification_conn_id``) inside a read-only transaction, and the warehouse adapter
cancels it from outside when it overruns its budget.

The allow-list is data: :data:`ALLOWED_FUNCTIONS` (Redshift's names, by family) and
:data:`ALLOWED_SYNTAX` (constructs sqlglot represents as function nodes: CAST, CASE, AND ...).
sqlglot turns many names into its own node types (``NVL`` into ``Coalesce``, ``DATEADD`` into
``TsOrDsAdd``); those node types are derived from the allow-list by parsing each entry, so
nothing is listed twice. ``python -m redshift_optimizer sql-guard --format markdown`` writes
the documentation page (docs/sql-guard.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from redshift_optimizer.sql.parsing import DIALECT, SqlInputError, first_offset, line_col, parse_statements

# Redshift's side-effect-free functions, by family (names as Redshift writes them; compared
# case-insensitively). Sources: the Amazon Redshift Database Developer Guide, "SQL functions
# reference". Leader-node-only and system information functions are deliberately absent.
ALLOWED_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "aggregate": (
        "any_value", "avg", "bit_and", "bit_or", "bool_and", "bool_or", "count", "grouping",
        "listagg", "max", "median", "min", "percentile_cont", "percentile_disc", "stddev",
        "stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp", "variance",
    ),
    "window": (
        "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile",
        "percent_rank", "rank", "ratio_to_report", "row_number",
    ),
    "conditional": ("coalesce", "decode", "greatest", "least", "nullif", "nvl", "nvl2"),
    "math": (
        "abs", "acos", "asin", "atan", "atan2", "cbrt", "ceil", "ceiling", "cos", "cot", "degrees",
        "dexp", "dlog1", "dlog10", "exp", "floor", "ln", "log", "mod", "pi", "pow", "power",
        "radians", "random", "round", "sign", "sin", "sqrt", "tan", "trunc",
    ),
    "string": (
        "ascii", "bit_length", "btrim", "char_length", "character_length", "charindex", "chr",
        "concat", "initcap", "left", "len", "length", "lower", "lpad", "ltrim", "octet_length",
        "position", "quote_ident", "quote_literal", "regexp_count", "regexp_instr",
        "regexp_replace", "regexp_substr", "repeat", "replace", "replicate", "reverse", "right",
        "rpad", "rtrim", "soundex", "split_part", "strpos", "strtol", "substr", "substring",
        "textlen", "to_hex", "translate", "trim", "upper",
    ),
    "hash": ("checksum", "crc32", "fnv_hash", "func_sha1", "md5", "sha", "sha1", "sha2"),
    "date and time": (
        "add_months", "convert_timezone", "current_date", "date", "date_cmp", "date_cmp_timestamp",
        "date_cmp_timestamptz", "date_part", "date_part_year", "date_trunc", "dateadd", "datediff",
        "datepart", "extract", "getdate", "interval_cmp", "last_day", "months_between", "next_day",
        "sysdate", "timestamp_cmp", "timestamp_cmp_date", "timestamp_cmp_timestamptz",
        "timeofday", "timezone", "to_timestamp",
    ),
    "type formatting and conversion": ("cast", "convert", "to_char", "to_date", "to_number", "texttoint"),
    "json and super": (
        "array", "array_concat", "array_flatten", "can_json_parse", "get_array_length",
        "is_array", "is_bigint", "is_boolean", "is_char", "is_decimal", "is_float", "is_integer",
        "is_object", "is_scalar", "is_smallint", "is_valid_json", "is_valid_json_array",
        "is_varchar", "json_array_length", "json_extract_array_element_text",
        "json_extract_path_text", "json_parse", "json_serialize", "json_typeof", "split_to_array",
        "subarray",
    ),
    "series": ("generate_series",),
}

# Constructs sqlglot represents as function nodes; each entry is SQL that shows it.
ALLOWED_SYNTAX: dict[str, str] = {
    "AND / OR / XOR": "SELECT a AND b OR c",
    "CASE": "SELECT CASE WHEN a THEN b ELSE c END",
    "CAST(x AS type), x::type, typed literals": "SELECT CAST(a AS INT), a::INT, DATE '2026-01-01', TIMESTAMP '2026-01-01 00:00:00'",
    "CONVERT(type, x)": "SELECT CONVERT(INT, a)",
    "EXISTS (subquery)": "SELECT EXISTS (SELECT 1)",
    "EXTRACT(part FROM x)": "SELECT EXTRACT(YEAR FROM a)",
    "TRIM(... FROM x), POSITION(x IN y), SUBSTRING(x FROM n FOR m)":
        "SELECT TRIM(BOTH 'x' FROM a), POSITION('a' IN b), SUBSTRING(a FROM 1 FOR 2)",
    "LIKE / ILIKE / SIMILAR TO / ~ and ~* (regular expressions)":
        "SELECT a ~ b, a ~* b, a LIKE b, a ILIKE b, a SIMILAR TO b",
    "x COLLATE collation": "SELECT a COLLATE case_insensitive",
    "APPROXIMATE COUNT(DISTINCT x)": "SELECT APPROXIMATE COUNT(DISTINCT a)",
    "LISTAGG / PERCENTILE_CONT ... WITHIN GROUP (ORDER BY x)":
        "SELECT LISTAGG(a, ',') WITHIN GROUP (ORDER BY a), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a)",
    "ARRAY[...] and x[n]": "SELECT ARRAY[1, 2], a[0]",
    "CURRENT_DATE, CURRENT_TIMESTAMP, SYSDATE, GETDATE()": "SELECT CURRENT_DATE, CURRENT_TIMESTAMP, SYSDATE, GETDATE()",
    "IS [NOT] NULL, IN, BETWEEN, arithmetic, ||": "SELECT a IS NULL, a IN (1, 2), a BETWEEN 1 AND 2, a + b * c / d - e % f, a || b",
}

# sqlglot node types that are never run, even if an allow-list entry ever parsed into one.
_NEVER = frozenset({"NextValueFor", "ReadCSV", "ReadParquet", "ToFile", "Secret", "Encrypt", "Decrypt",
                    "EncryptRaw", "DecryptRaw", "CurrentSession", "CurrentStatement", "CurrentTransaction",
                    "GenerateEmbedding", "GenerateText", "Predict", "VectorSearch"})

# Statement and clause nodes that write, change the session, or lock: refused anywhere.
_WRITES = tuple(
    getattr(exp, name) for name in (
        "DML", "DDL", "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable",
        "Command", "Copy", "Set", "SetItem", "Transaction", "Commit", "Rollback", "Use", "Grant", "Revoke",
        "Pragma", "Analyze", "Comment", "Into", "Lock", "LoadData", "Refresh", "Cache", "Uncache",
        "Describe", "Show", "Kill", "Call", "Execute", "Declare",
    ) if hasattr(exp, name)
)

#: schemas of system relations, and prefixes of unqualified system relation names
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast", "pg_internal", "pg_automv", "redshift_system")
SYSTEM_PREFIXES = ("pg_", "stl_", "stv_", "svl_", "svv_", "svcs_", "sys_")


class SqlRefused(SqlInputError):
    """The SQL is not run on the warehouse: it is not one read-only query of allowed functions."""


@dataclass(frozen=True)
class _Allowed:
    names: frozenset[str]
    node_types: frozenset[str]


def _function_nodes(sql: str) -> set[str]:
    try:
        trees = sqlglot.parse(sql, read=DIALECT)
    except (ParseError, TokenError, ValueError):
        return set()
    return {type(node).__name__ for tree in trees if tree is not None for node in tree.walk()
            if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous)}


@lru_cache(maxsize=1)
def _allowed() -> _Allowed:
    """The allow-list as names (for calls sqlglot does not know) and as sqlglot node types
    (derived by parsing each name with one to three arguments, and each syntax example)."""
    names = frozenset(name for family in ALLOWED_FUNCTIONS.values() for name in family)
    node_types: set[str] = set()
    for name in names:
        for args in ("", "a", "a, b", "a, b, c"):
            node_types |= _function_nodes(f"SELECT {name}({args})")
    for example in ALLOWED_SYNTAX.values():
        node_types |= _function_nodes(example)
    # Window functions: their node types appear with OVER as well.
    return _Allowed(names, frozenset(node_types - _NEVER))


def allowed_node_types() -> list[str]:
    """The sqlglot node types the guard accepts (derived from the allow-list), sorted."""
    return sorted(_allowed().node_types)


def _refuse(sql: str, node: exp.Expression, message: str) -> SqlRefused:
    offset = first_offset(node)
    if offset is None:
        return SqlRefused(message)
    line, col = line_col(sql, offset)
    return SqlRefused(message, line, col)


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name)
    return node.sql_name()


def _check_function(sql: str, node: exp.Func, allowed: _Allowed) -> None:
    if isinstance(node.parent, exp.Dot) and node.parent.expression is node:
        raise _refuse(sql, node, f"the query calls the schema-qualified function {node.parent.sql(dialect=DIALECT)!r}"
                                 ": not run (only the built-in functions of the allow-list are)")
    if isinstance(node, exp.Anonymous):
        name = str(node.name).lower()
        if name in allowed.names:
            return
    elif type(node).__name__ in allowed.node_types:
        return
    raise _refuse(sql, node, f"the query calls {_function_name(node).lower()}(), which is not on the allow-list of "
                             "side-effect-free functions (docs/sql-guard.md): not run")


def _check_table(sql: str, table: exp.Table) -> None:
    schema = (table.db or "").lower()
    name = (table.name or "").lower()
    if schema in SYSTEM_SCHEMAS or (not schema and name.startswith(SYSTEM_PREFIXES)):
        shown = f"{schema}.{name}" if schema else name
        raise _refuse(sql, table, f"the query reads the system relation {shown}: not run "
                                  "(a rewrite check reads the query's own tables only)")


def check_tree(sql: str, tree: exp.Expression) -> exp.Expression:
    """``tree`` (parsed from ``sql``) when it is a read-only query of allowed functions; else
    :class:`SqlRefused` naming the first problem and where it is."""
    if not isinstance(tree, exp.Query):
        kind = type(tree).__name__.upper()
        raise _refuse(sql, tree, f"only a query (SELECT, WITH, UNION ...) is run on the warehouse, got {kind}")
    allowed = _allowed()
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for node in tree.walk():
        if isinstance(node, _WRITES):
            what = "SELECT INTO" if isinstance(node, exp.Into) else type(node).__name__.upper()
            raise _refuse(sql, node, f"the query contains {what}: only read-only queries are run")
        if isinstance(node, exp.Func):
            _check_function(sql, node, allowed)
        elif isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            if not node.db and node.name.lower() in ctes:
                continue
            _check_table(sql, node)
        elif isinstance(node, exp.DataType) and node.this == exp.DataType.Type.USERDEFINED:
            raise _refuse(sql, node, f"the query casts to the user-defined type {node.sql(dialect=DIALECT)!r}: not run")
    return tree


def guard(sql: str) -> exp.Expression:
    """The single read-only query of ``sql``, parsed (Redshift dialect); :class:`SqlRefused`
    (or :class:`SqlSyntaxError`, with line and column) when it is anything else."""
    try:
        statements = parse_statements(sql)
    except RecursionError:
        raise SqlRefused("the SQL is nested too deeply to check") from None
    if len(statements) != 1:
        line, col = _second_statement(sql)
        raise SqlRefused(f"{len(statements)} statements given: exactly one query is run", line, col)
    try:
        return check_tree(sql, statements[0])
    except RecursionError:
        raise SqlRefused("the SQL is nested too deeply to check") from None


def _second_statement(sql: str) -> tuple[int | None, int | None]:
    """Line and column where the second statement of ``sql`` begins."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    after_semicolon = False
    for token in Dialect.get_or_raise(DIALECT).tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            after_semicolon = True
        elif after_semicolon:
            return line_col(sql, token.start)
    return None, None


def allow_list_markdown() -> str:
    """The documentation page of the guard (docs/sql-guard.md), generated from the allow-list."""
    lines = [
        "# SQL guard",
        "",
        "<!-- Generated by `python -m redshift_optimizer sql-guard --format markdown`; do not edit. -->",
        "",
        "Before the product runs a caller's SQL on the warehouse (the rewrite check), the SQL guard "
        "(`plugins/redshift_optimizer/sql_guard.py`) parses it as Redshift SQL and runs it only if it is "
        "exactly one read-only query whose every function call is on this allow-list. Anything else is "
        "refused with the reason, line and column, and the rewrite stays unverified on the warehouse.",
        "",
        "Refused anywhere in the tree (CTEs and subqueries included): INSERT, UPDATE, DELETE, MERGE, "
        "DDL, COPY, UNLOAD and other commands, SET, transaction control, SELECT INTO, FOR UPDATE; "
        "function calls not listed below (unknown or user-defined ones too), schema-qualified calls, "
        "casts to user-defined types, and system relations: tables of "
        + ", ".join(f"`{s}`" for s in SYSTEM_SCHEMAS)
        + ", and unqualified names starting with " + ", ".join(f"`{p}`" for p in SYSTEM_PREFIXES) + ".",
        "",
        "## Functions, by family",
        "",
        "| family | functions |",
        "|---|---|",
    ]
    for family, names in ALLOWED_FUNCTIONS.items():
        lines.append(f"| {family} | {', '.join(f'`{n}`' for n in sorted(names))} |")
    lines += ["", "## Constructs", "", "| construct | example |", "|---|---|"]
    for construct, example in ALLOWED_SYNTAX.items():
        lines.append(f"| {construct} | `{example}` |")
    lines += [
        "",
        "## sqlglot node types accepted",
        "",
        "Derived from the lists above by parsing each entry (sqlglot turns many Redshift names into its "
        "own node types, e.g. `NVL` into `Coalesce`):",
        "",
        ", ".join(f"`{t}`" for t in allowed_node_types()),
        "",
    ]
    return "\n".join(lines)


__all__ = [
    "ALLOWED_FUNCTIONS",
    "ALLOWED_SYNTAX",
    "SYSTEM_PREFIXES",
    "SYSTEM_SCHEMAS",
    "SqlRefused",
    "allow_list_markdown",
    "allowed_node_types",
    "check_tree",
    "guard",
]
