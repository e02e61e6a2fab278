"""Verification of a rewrite on the warehouse: EXPLAIN both queries (``explained``), then run
both within a row and time budget and compare the results as multisets (``equivalent``).

Only what the SQL guard (:mod:`redshift_optimizer.sql_guard`) lets through is run: one
read-only query of side-effect-free functions. Each is capped at ``max_rows + 1`` rows and
cancelled by the warehouse adapter from outside once it overruns ``timeout_s`` (nothing the
query sets can lift that), on the connection the caller passes: the low-privilege
verification identity (setting ``verification_conn_id``), in a read-only session where the
engine has one. On the local PostgreSQL stand-in the Redshift SQL is transpiled first
(redshift_optimizer.transpile).

The notes say what happened in counts, timings and error classes
(:mod:`redshift_optimizer.warehouse.errors`), never in the warehouse's words: its error text
echoes values, and the notes are stored and served to callers.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot import exp

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.findings import Verification
from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.parsing import DIALECT, SqlInputError
from redshift_optimizer.sql_guard import guard
from redshift_optimizer.transpile import to_postgres


_BACKSTOP_S = 5.0


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


def _failure(exc: WarehouseError) -> str:
    """A refused statement as stored: its class, SQLSTATE and missing grant, no warehouse text."""
    return exc.summary()


def _timed_out(exc: WarehouseError) -> bool:
    failure = getattr(exc, "failure", None)
    return failure is not None and failure.error_class.value == "timeout"


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
    trees = []
    for label, sql in (("original", original), ("rewrite", rewrite)):
        try:
            trees.append(guard(sql))
        except SqlInputError as exc:
            return VerificationReport(Verification.PARSED, notes=[
                f"not verified on the warehouse: the {label} is refused by the SQL guard: {exc.one_line()}"])
    original_tree, rewrite_tree = trees
    engine = getattr(warehouse, "engine", "redshift")
    try:
        sql_original = engine_sql(original_tree, engine, snapshot, original if engine == "redshift" else None)
        sql_rewrite = engine_sql(rewrite_tree, engine, snapshot)
    except Exception as exc:  # noqa: BLE001 - a gap transpilation cannot close
        return VerificationReport(Verification.PARSED, notes=[f"cannot run on {engine}: {exc}"])

    # The budget is the adapter's cancel from outside (timeout_s below). The server-side
    # timeout, a little longer, is a backstop should the process holding the timer die.
    timeout_ms = int((budget.timeout_s + _BACKSTOP_S) * 1000)
    _guarded(warehouse, [f"SET statement_timeout = {timeout_ms}"]
             + (["SET default_transaction_read_only = on"] if engine == "postgres" else []))
    report = VerificationReport(Verification.PARSED)
    try:
        try:
            warehouse.query(f"EXPLAIN {sql_original}", timeout_s=budget.timeout_s)
        except WarehouseError as exc:
            report.notes.append(
                f"the original does not EXPLAIN on {engine}: {_failure(exc)}; rewrite not verified further")
            return report
        try:
            warehouse.query(f"EXPLAIN {sql_rewrite}", timeout_s=budget.timeout_s)
        except WarehouseError as exc:
            report.failed = not _timed_out(exc)
            report.notes.append(f"the rewrite does not EXPLAIN on {engine}: {_failure(exc)}")
            return report
        report.level = Verification.EXPLAINED
        results = []
        for label, sql in (("original", sql_original), ("rewrite", sql_rewrite)):
            capped = f"SELECT * FROM ({sql}) AS verified_rows LIMIT {budget.max_rows + 1}"
            started = time.monotonic()
            try:
                rows = warehouse.query(capped, timeout_s=budget.timeout_s)
            except WarehouseError as exc:
                elapsed = time.monotonic() - started
                if _timed_out(exc):
                    report.notes.append(f"the {label} did not run within the budget: cancelled after "
                                        f"{elapsed:.1f} s (budget {budget.timeout_s:g} s)")
                else:
                    report.failed = label == "rewrite"
                    report.notes.append(f"the {label} failed on {engine}: {_failure(exc)} after {elapsed:.1f} s")
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
