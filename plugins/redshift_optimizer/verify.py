"""Verification of a rewrite on the warehouse: EXPLAIN both queries (``explained``), then run
both within a row and time budget and compare the results as multisets (``equivalent``).

Only plain queries are run (no DML, DDL or SELECT INTO), each capped at ``max_rows + 1``
rows, with a statement timeout and, where the engine has one, a read-only session. On the
local PostgreSQL stand-in the Redshift SQL is transpiled first (redshift_optimizer.transpile).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.rules.parsing import DIALECT
from redshift_optimizer.transpile import to_postgres

_WRITES = (exp.DML, exp.DDL, exp.Into, exp.Command, exp.Copy, exp.Set, exp.Transaction)


@dataclass(frozen=True)
class Budget:
    """How much a verification may cost on the warehouse."""

    max_rows: int = 100_000
    timeout_s: float = 60.0


@dataclass
class VerificationReport:
    level: Verification
    failed: bool = False  # the rewrite was refuted (not merely unverifiable)
    notes: list[str] = field(default_factory=list)
    original_rows: int | None = None
    rewrite_rows: int | None = None
    original_seconds: float | None = None
    rewrite_seconds: float | None = None


def _read_only_query(sql: str) -> exp.Expression:
    statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ValueError("only a single query (SELECT / WITH / set operation) is verified")
    if any(isinstance(n, _WRITES) for n in statements[0].walk()):
        raise ValueError("the query writes (SELECT INTO, DML or DDL inside): not run")
    return statements[0]


def engine_sql(tree: exp.Expression, engine: str, snapshot: SchemaSnapshot | None, original_text: str | None = None) -> str:
    """The query as the warehouse's engine runs it. On Redshift the user's text is run as
    written; on PostgreSQL it is transpiled."""
    if engine == "redshift":
        return original_text if original_text is not None else tree.sql(dialect=DIALECT)
    return to_postgres(tree, snapshot).sql(dialect="postgres")


def _normal(value: Any) -> Any:
    """Values comparable across plans: floats rounded (summation order differs), Decimals too."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return float(f"{value:.9g}")
    return value


def _guarded(warehouse: Any, statements: list[str]) -> None:
    for statement in statements:
        try:
            warehouse.query(statement)
        except WarehouseError:
            pass  # best effort: not every engine or session mode accepts every setting


def verify(
    original: str,
    rewrite: str,
    warehouse: Any,
    budget: Budget | None = None,
    snapshot: SchemaSnapshot | None = None,
) -> VerificationReport:
    """How far the rewrite is verified on ``warehouse``: EXPLAINED, then EQUIVALENT."""
    budget = budget or Budget()
    try:
        original_tree = _read_only_query(original)
        rewrite_tree = _read_only_query(rewrite)
    except (ValueError, sqlglot.errors.ParseError) as exc:
        return VerificationReport(Verification.PARSED, notes=[f"not verified on the warehouse: {exc}"])
    engine = getattr(warehouse, "engine", "redshift")
    try:
        sql_original = engine_sql(original_tree, engine, snapshot, original if engine == "redshift" else None)
        sql_rewrite = engine_sql(rewrite_tree, engine, snapshot)
    except Exception as exc:  # noqa: BLE001 - a gap transpilation cannot close
        return VerificationReport(Verification.PARSED, notes=[f"cannot run on {engine}: {exc}"])

    timeout_ms = int(budget.timeout_s * 1000)
    _guarded(warehouse, [f"SET statement_timeout = {timeout_ms}"]
             + (["SET default_transaction_read_only = on"] if engine == "postgres" else []))
    report = VerificationReport(Verification.PARSED)
    try:
        try:
            warehouse.query(f"EXPLAIN {sql_original}")
        except WarehouseError as exc:
            report.notes.append(f"the original does not EXPLAIN on {engine}: {exc}; rewrite not verified further")
            return report
        try:
            warehouse.query(f"EXPLAIN {sql_rewrite}")
        except WarehouseError as exc:
            report.failed = True
            report.notes.append(f"the rewrite does not EXPLAIN on {engine}: {exc}")
            return report
        report.level = Verification.EXPLAINED
        results = []
        for label, sql in (("original", sql_original), ("rewrite", sql_rewrite)):
            capped = f"SELECT * FROM ({sql}) AS verified_rows LIMIT {budget.max_rows + 1}"
            started = time.monotonic()
            try:
                rows = warehouse.query(capped)
            except WarehouseError as exc:
                if label == "rewrite" and "timeout" not in str(exc).lower() and "cancel" not in str(exc).lower():
                    report.failed = True
                report.notes.append(f"the {label} did not run within the budget: {exc}")
                return report
            elapsed = time.monotonic() - started
            if len(rows) > budget.max_rows:
                report.notes.append(f"the {label} returns more than {budget.max_rows:,} rows: not compared")
                return report
            results.append(rows)
            setattr(report, f"{label}_rows", len(rows))
            setattr(report, f"{label}_seconds", round(elapsed, 3))
        before, after = (Counter(tuple(_normal(v) for v in row.values()) for row in rows) for rows in results)
        if before != after:
            report.failed = True
            missing = sum((before - after).values())
            extra = sum((after - before).values())
            report.notes.append(
                f"results differ on {engine}: {missing} row(s) of the original missing, {extra} extra")
            return report
        report.level = Verification.EQUIVALENT
        report.notes.append(
            f"same {report.original_rows} row(s) on {engine} "
            f"(original {report.original_seconds}s, rewrite {report.rewrite_seconds}s)")
        return report
    finally:
        _guarded(warehouse, ["RESET statement_timeout"]
                 + (["RESET default_transaction_read_only"] if engine == "postgres" else []))


__all__ = ["Budget", "VerificationReport", "engine_sql", "verify"]
