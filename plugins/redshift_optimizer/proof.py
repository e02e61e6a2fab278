"""The ``adversarial`` rung: a rewrite and its original compared on generated data that is
built to break rewrites, in the local PostgreSQL engine.

For each table the two queries read, a table of the same name and column types is created in
a scratch schema, inside one transaction that is rolled back at the end (nothing is kept,
even when the connection drops half-way). Data sets are generated from the snapshot's column
types and nullability and from the constants the queries use: every table empty; one row
each; then several random small tables with NULLs (only where the snapshot allows them),
duplicate rows, some tables empty, boundary numbers and dates (month and year ends, leap
days, the queries' own constants and their neighbours). Both queries run on each data set
with the search path pointed at the scratch schema; their rows are compared as multisets.
A rewrite that differs only on NULLs, duplicates or empty inputs is caught here although it
returns the same rows on the demo data.
"""

from __future__ import annotations

import json
import math
import random
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlglot import exp

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.lake import SchemaSnapshot, TableSnapshot
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.sql.parsing import DIALECT, SqlInputError
from redshift_optimizer.sql.scopes import lookup_table
from redshift_optimizer.sql_guard import guard
from redshift_optimizer.transpile import to_postgres

#: Data sets per proof: all empty, one row per table, then random ones (seeded: a proof is
#: repeatable, and the same table gets the same rows for every step of one rewrite).
RANDOM_DATA_SETS = 14
MAX_ROWS_PER_TABLE = 8
NULL_SHARE = 0.3
QUERY_TIMEOUT_MS = 10_000


@dataclass
class ProofReport:
    """Whether the rewrite returned the original's rows on every generated data set."""

    proved: bool = False
    refuted: bool = False
    data_sets: int = 0  # data sets on which both ran and were compared
    notes: list[str] = field(default_factory=list)


class ProofUnavailable(Exception):
    """The proof cannot run for this query (a table or type the generator does not know)."""


def prove(original: exp.Expression, rewrite: exp.Expression, engine: Any, snapshot: SchemaSnapshot | None,
          seed: int = 0) -> ProofReport:
    """Compare two Redshift query trees on adversarial data in ``engine`` (a Warehouse on the
    local PostgreSQL). Never raises for a query the generator cannot handle: the report says so."""
    report = ProofReport()
    if getattr(engine, "engine", None) != "postgres":
        report.notes.append("adversarial proof not run: it needs the local PostgreSQL engine")
        return report
    if snapshot is None:
        report.notes.append("adversarial proof not run: no schema snapshot to generate data from")
        return report
    try:  # the proof runs both queries: only what the SQL guard lets run on a warehouse
        for tree in (original, rewrite):
            guard(tree.sql(dialect=DIALECT))
    except SqlInputError as exc:
        report.notes.append(f"adversarial proof not run: the SQL guard refuses the query ({exc})")
        return report
    try:
        original, rewrite = _without_common_limit(original, rewrite)
        tables = _tables_read(original, snapshot) | _tables_read(rewrite, snapshot)
        if not tables:
            raise ProofUnavailable("the queries read no table of the snapshot")
        schema = f"proof_{secrets.token_hex(4)}"
        names = _scratch_names(tables)
        queries = [_scratch_sql(tree, snapshot, names) for tree in (original, rewrite)]
        literals = _literals(original) | _literals(rewrite)
        columns = {t.table_name: [_column_plan(c, literals) for c in t.columns] for t in tables.values()}
        definitions = {
            name: {"table": quote_identifier(f"{schema}.{names[name]}"),
                   "columns": ", ".join(f"{quote_identifier(c.name)} {pg_type}"
                                        for c, (pg_type, _) in zip(table.columns, columns[name]))}
            for name, table in tables.items()}
    except (ProofUnavailable, ValueError) as exc:
        report.notes.append(f"adversarial proof not run: {exc}")
        return report
    engine.run("proof_begin")
    try:
        engine.run("proof_create_schema", template={"schema": quote_identifier(schema)})
        for definition in definitions.values():
            engine.run("proof_create_table", template=definition)
        engine.run("proof_search_path", {"search_path": quote_identifier(schema)})
        engine.run("proof_statement_timeout", {"timeout_ms": str(QUERY_TIMEOUT_MS)})
        rng = random.Random(seed)
        for index in range(RANDOM_DATA_SETS + 2):
            data = {name: _rows(rng, index, columns[name], [c.name for c in tables[name].columns]) for name in tables}
            for name, rows in data.items():
                table_ref = {"table": definitions[name]["table"]}
                engine.run("proof_delete_rows", template=table_ref)
                if rows:
                    engine.run("proof_insert_rows", {"rows": json.dumps(rows, default=str)}, template=table_ref)
            results = [_run(engine, sql) for sql in queries]
            if isinstance(results[0], str):
                continue  # the original itself fails on these rows (a cast, a division): no verdict
            if isinstance(results[1], str):
                report.refuted = True
                report.notes.append(f"refuted on generated data set {index + 1} ({_describe(data)}): "
                                    f"the rewrite fails where the original runs ({results[1]})")
                return report
            if results[0] != results[1]:
                missing = sum((results[0] - results[1]).values())
                extra = sum((results[1] - results[0]).values())
                report.refuted = True
                report.notes.append(
                    f"refuted on generated data set {index + 1} ({_describe(data)}): "
                    f"{missing} row(s) of the original missing, {extra} extra")
                return report
            report.data_sets += 1
    except WarehouseError as exc:
        report.notes.append(f"adversarial proof not completed: {exc}")
        return report
    finally:
        try:
            engine.run("proof_rollback")
        except WarehouseError:
            pass  # the connection is gone, and the transaction with it
    if report.data_sets:
        report.proved = True
        report.notes.append(f"same rows on {report.data_sets} generated data set(s) with NULLs, duplicates, "
                            "empty tables and boundary values")
    else:
        report.notes.append("adversarial proof inconclusive: the original failed on every generated data set")
    return report


# ----------------------------------------------------------------- the queries


def _without_common_limit(a: exp.Expression, b: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    """Both without their top-level ORDER BY and LIMIT when those are the same: on a handful of
    generated rows, ties would make a LIMIT keep different rows for reasons unrelated to the
    rewrite; rows are compared as multisets anyway."""
    keys = ("order", "limit", "offset")
    if all((a.args.get(k).sql() if a.args.get(k) else None) == (b.args.get(k).sql() if b.args.get(k) else None)
           for k in keys) and any(a.args.get(k) for k in ("limit", "offset")):
        a, b = a.copy(), b.copy()
        for tree in (a, b):
            for key in keys:
                tree.set(key, None)
    return a, b


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _table_of(node: exp.Table, snapshot: SchemaSnapshot, ctes: set[str]) -> TableSnapshot | None:
    if not node.name or (not node.db and node.name.lower() in ctes):
        return None
    written = ".".join(p for p in (node.db, node.name) if p)
    return lookup_table(snapshot, written)


def _tables_read(tree: exp.Expression, snapshot: SchemaSnapshot) -> dict[str, TableSnapshot]:
    ctes = _cte_names(tree)
    found: dict[str, TableSnapshot] = {}
    for node in tree.find_all(exp.Table):
        if not node.name or (not node.db and node.name.lower() in ctes):
            continue
        if isinstance(node.parent, exp.Column) or node.find_ancestor(exp.Column):
            continue
        table = _table_of(node, snapshot, ctes)
        if table is None:
            raise ProofUnavailable(f"table {node.sql(dialect=DIALECT)} is not in the snapshot")
        if not table.columns:
            raise ProofUnavailable(f"the snapshot lists no columns of {table.table_name}")
        found[table.table_name] = table
    return found


def _scratch_names(tables: dict[str, TableSnapshot]) -> dict[str, str]:
    short = Counter(t.short_name.lower() for t in tables.values())
    return {name: (t.short_name.lower() if short[t.short_name.lower()] == 1 else name.lower().replace(".", "_"))
            for name, t in tables.items()}


def _scratch_sql(tree: exp.Expression, snapshot: SchemaSnapshot, names: dict[str, str]) -> str:
    """The query for PostgreSQL, reading the scratch tables (found through the search path)."""
    ctes = _cte_names(tree)
    tree = to_postgres(tree, snapshot)
    for node in list(tree.find_all(exp.Table)):
        table = _table_of(node, snapshot, ctes)
        if table is None:
            continue
        alias = node.args.get("alias")
        replacement = exp.Table(this=exp.to_identifier(names[table.table_name], quoted=True),
                                alias=alias.copy() if alias is not None else
                                exp.TableAlias(this=exp.to_identifier(node.name)))
        node.replace(replacement)
    return tree.sql(dialect="postgres")


def _run(engine: Any, sql: str) -> Counter | str:
    engine.run("proof_savepoint")
    try:
        rows = engine.query(sql)
    except WarehouseError as exc:
        engine.run("proof_rollback_to_savepoint")
        return str(exc).splitlines()[0][:300]
    engine.run("proof_release_savepoint")
    return Counter(tuple(_comparable(v) for v in row.values()) for row in rows)


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else float(f"{value:.9g}")
    return value


def _describe(data: dict[str, list]) -> str:
    return ", ".join(f"{name}: {len(rows)} row(s)" for name, rows in sorted(data.items()))


# --------------------------------------------------------------- the generated rows


@dataclass(frozen=True)
class _Literals:
    numbers: frozenset
    strings: frozenset

    def __or__(self, other: "_Literals") -> "_Literals":
        return _Literals(self.numbers | other.numbers, self.strings | other.strings)


def _literals(tree: exp.Expression) -> _Literals:
    numbers, strings = set(), set()
    for node in tree.find_all(exp.Literal):
        if node.is_string:
            strings.add(node.this)
        else:
            try:
                numbers.add(Decimal(node.this))
            except Exception:  # noqa: BLE001
                pass
    return _Literals(frozenset(numbers), frozenset(strings))


_BOUNDARY_DATES = [date(1992, 1, 1), date(1995, 12, 31), date(1996, 1, 1), date(1996, 2, 29), date(1998, 12, 31)]


def _dates(literals: _Literals, neighbours: bool = True) -> list[date]:
    """Dates the queries name (with the days either side) and, with ``neighbours``, month
    and year boundaries and a leap day."""
    found = set(_BOUNDARY_DATES) if neighbours else set()
    for text in literals.strings:
        match = re.fullmatch(r"\s*(\d{4})-(\d{2})(?:-(\d{2}))?.*", text)
        if not match:
            continue
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
        except ValueError:
            continue
        found |= {day, day - timedelta(days=1), day + timedelta(days=1)} if neighbours else {day}
    return sorted(found)


def _column_plan(column, literals: _Literals) -> tuple[str, tuple[list, list, bool]]:
    """(PostgreSQL type, (the queries' own constants of its type, other values to draw from,
    may be NULL)) for a snapshot column."""
    try:
        dtype = exp.DataType.build(column.type, dialect=DIALECT)
    except Exception:  # noqa: BLE001
        raise ProofUnavailable(f"column type {column.type!r} is not known to the data generator") from None
    pg_type = dtype.sql(dialect="postgres")
    nullable = column.nullable is not False
    numbers = sorted(literals.numbers)
    if dtype.is_type(*exp.DataType.INTEGER_TYPES):
        bound = {exp.DataType.Type.SMALLINT: 32767, exp.DataType.Type.INT: 2**31 - 1}.get(dtype.this, 2**63 - 1)
        exact = [int(n) for n in numbers if n == n.to_integral_value() and abs(n) <= bound]
        values = _ordered([1, 2, 3, 0, -1] + [n + d for n in exact for d in (-1, 1)], bound=bound)
        return pg_type, (exact, values, nullable)
    elif dtype.is_type(*exp.DataType.REAL_TYPES):
        params = [int(p.this.this) for p in dtype.expressions if isinstance(p.this, exp.Literal)] \
            if dtype.expressions else []
        precision, scale = (params + [18, 0])[:2] if dtype.this == exp.DataType.Type.DECIMAL and params else (None, None)
        base = [Decimal(1), Decimal(2), Decimal(0), Decimal("0.5"), Decimal(-1), Decimal("1.5")]
        base += [n + d for n in numbers for d in (Decimal("-0.01"), Decimal("0.01"))]
        exact = list(numbers)
        if precision is not None:
            limit = Decimal(10) ** (precision - scale)
            quantum = Decimal(1).scaleb(-scale)
            base = [v.quantize(quantum) for v in base if abs(v) < limit]
            exact = [v.quantize(quantum) for v in exact if abs(v) < limit]
        return pg_type, (_ordered(exact), _ordered(base), nullable)
    elif dtype.is_type(*exp.DataType.TEXT_TYPES) or dtype.this in (exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR):
        params = [int(p.this.this) for p in dtype.expressions if isinstance(p.this, exp.Literal)]
        length = params[0] if params else 256
        exact = [t for t in literals.strings if len(t) <= length]
        base = ["a", "b", "", "A"] + [v for t in literals.strings
                                      for v in (t.replace("%", "").replace("_", "x"), t.replace("%", "x").replace("_", "x"))]
        return pg_type, ([t for t in _ordered(exact)], _ordered([v for v in base if len(v) <= length]), nullable)
    elif dtype.this == exp.DataType.Type.DATE:
        exact = _dates(literals, neighbours=False)
        return pg_type, (exact, _dates(literals), nullable)
    elif dtype.this in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME):
        exact = [datetime.combine(d, datetime.min.time()) for d in _dates(literals, neighbours=False)]
        values = [datetime.combine(d, t) for d in _dates(literals)
                  for t in (datetime.min.time(), datetime(1, 1, 1, 12, 30).time(), datetime(1, 1, 1, 23, 59, 59, 999999).time())]
        return pg_type, (exact, values, nullable)
    elif dtype.this == exp.DataType.Type.BOOLEAN:
        return pg_type, ([], [True, False], nullable)
    raise ProofUnavailable(f"column type {column.type!r} is not known to the data generator")


def _ordered(values: list, bound: int | None = None) -> list:
    """The values without repeats, in the order given (the likeliest first)."""
    seen: dict = {}
    for value in values:
        if bound is None or abs(value) <= bound:
            seen.setdefault(value, None)
    return list(seen)


def _rows(rng: random.Random, index: int, plans: list, names: list[str]) -> list[dict]:
    if index == 0:
        return []  # every table empty
    count = 1 if index == 1 else (0 if rng.random() < 0.15 else rng.randint(1, MAX_ROWS_PER_TABLE))
    rows = []
    for _ in range(count):
        row = {}
        for name, (_, (exact, values, nullable)) in zip(names, plans):
            draw = rng.random()
            if nullable and index > 1 and draw < NULL_SHARE:
                row[name] = None
            elif exact and draw < NULL_SHARE + 0.35:
                row[name] = _json(rng.choice(exact))  # what the filters compare with
            else:
                # The first values most often: join keys of different tables then meet.
                row[name] = _json(values[min(int(rng.expovariate(0.7)), len(values) - 1)])
        rows.append(row)
    if rows and index > 1:
        if index % 3 == 0:
            rows += [dict(r) for r in rows]  # every row twice
        else:
            rows += [dict(rng.choice(rows)) for _ in range(rng.randint(0, 3))]
    return rows


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


__all__ = ["ProofReport", "prove"]
