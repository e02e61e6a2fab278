"""What the validation rules (V) see: one table, what to check it against (ETL manifests, a
previous profile, a key, a freshness column), and the warehouse the checks run in.

The measurements are shared: one statement per manifest serves V001 and V006, one statement
per table serves V003 and V005. Each is run once, when the first rule asks for it, and only
counts and aggregates come back; every statement is a file
``include/sql/redshift/validation_*.sql``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from redshift_optimizer.catalog.profile import column_category
from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.agents import ValidationCheck
from redshift_optimizer.models.findings import Evidence, Finding
from redshift_optimizer.models.lake import ColumnProfile, EtlManifest, TableProfile, TableSnapshot
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.rules.base import Hit

if TYPE_CHECKING:
    from redshift_optimizer.warehouse import Warehouse

_CHECKSUM = re.compile(r"^\s*(sum|count|count_distinct|min|max)\s*:\s*(.+?)\s*$", re.I)

#: Where a check stands in a table's report, first element of :attr:`Verdict.at`: per
#: manifest (V006 checksums that cannot be computed, V001, V006), the key (V002), per profiled
#: column (V003, V005), freshness (V004).
AT_MANIFESTS, AT_KEY, AT_PROFILE, AT_FRESHNESS = range(4)


class TableValidation(BaseModel):
    """The checks of one table and the findings of those that failed."""

    table: str
    checks: list[ValidationCheck] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


@dataclass
class ValidationPlan:
    """What to check on one table."""

    table: TableSnapshot
    manifests: list[EtlManifest] = field(default_factory=list)
    previous: TableProfile | None = None
    previous_date: str | None = None
    primary_key: list[str] = field(default_factory=list)
    freshness_column: str | None = None
    freshness_sla_hours: float | None = None


@dataclass(frozen=True)
class Limits:
    row_count_tolerance: int = 0
    null_ratio_change: float = 0.10
    range_drift: float = 0.5
    sample_rows: int = 5_000_000
    load_column: str = "load_id"


@dataclass(frozen=True)
class Verdict:
    """One check's outcome; ``hit`` is set when it failed (the finding's message and evidence)."""

    check: ValidationCheck
    at: tuple[int, ...]
    hit: Hit | None = None


@dataclass(frozen=True)
class Checksum:
    column: str
    function: str
    raw: str
    expected: float


@dataclass(frozen=True)
class ManifestTotals:
    """One manifest's statement: the row count and the checksums' aggregates of its load."""

    statement: str
    scope: str  # which rows were compared, as the checks' detail says
    checksums: list[Checksum]
    row: dict[str, Any] | None = None
    error: WarehouseError | None = None


@dataclass(frozen=True)
class ColumnStats:
    """The table's statement for the columns the previous profile measured."""

    statement: str
    measured: list[tuple[int, str, ColumnProfile, str | None]]  # (index, column, previous, category)
    fraction: float
    since: str
    row: dict[str, Any] | None = None
    error: WarehouseError | None = None

    @property
    def scanned(self) -> int:
        return int(self.row["sample_rows"] or 0) if self.row is not None else 0


def check(code: str, table: str, status: str, *, column: str | None = None, observed: Any = None,
          expected: Any = None, detail: str = "", statement: str | None = None) -> ValidationCheck:
    return ValidationCheck(code=code, table=table, column=column, status=status, observed=observed,
                           expected=expected, detail=detail, statement=statement)


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def instant(value: Any) -> float | None:
    """A date or timestamp (as the warehouse prints it) in seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if re.fullmatch(r".*[+-]\d\d$", text):
            text += ":00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def comparable(value: Any, category: str | None) -> float | None:
    return number(value) if category == "numeric" else instant(value)


@dataclass
class ValidationContext:
    """One table's plan, the limits, the instant freshness is judged at, and the warehouse."""

    warehouse: "Warehouse"
    plan: ValidationPlan
    limits: Limits
    reference: datetime
    _totals: dict[int, ManifestTotals] = field(default_factory=dict)
    _stats: list[ColumnStats | None] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.plan.table.table_name

    def checksums(self, manifest: EtlManifest) -> tuple[list[Checksum], list[tuple[str, str]]]:
        """A manifest's checksums the warehouse can compute, and those it cannot (column, text)."""
        parsed, unusable = [], []
        for column, text in manifest.checksums.items():
            match = _CHECKSUM.match(str(text))
            expected = number(match.group(2)) if match else None
            if not match or expected is None or self.plan.table.column(column) is None:
                unusable.append((column, text))
                continue
            parsed.append(Checksum(column, match.group(1).lower(), text, expected))
        return parsed, unusable

    def manifest_totals(self, index: int) -> ManifestTotals:
        """The totals of the plan's manifest ``index`` (one statement, run once)."""
        if index in self._totals:
            return self._totals[index]
        manifest, limits = self.plan.manifests[index], self.limits
        parsed, _ = self.checksums(manifest)
        fragments = [
            self.warehouse.statement(f"validation_aggregate_{c.function}",
                                     {"column": quote_identifier(c.column), "index": str(i)}).strip()
            for i, c in enumerate(parsed)
        ]
        slots = {"table": quote_identifier(self.name), "aggregates": "\n".join(fragments)}
        if self.plan.table.column(limits.load_column) is not None:
            statement = "validation_load_totals"
            slots["load_column"] = quote_identifier(limits.load_column)
            params = {"load_id": manifest.load_id}
            scope = f"load {manifest.load_id} ({limits.load_column} = the load id)"
        else:
            statement, params = "validation_table_totals", {}
            scope = f"load {manifest.load_id} compared with the whole table (no {limits.load_column} column)"
        try:
            totals = ManifestTotals(statement, scope, parsed, row=self.warehouse.run(statement, params, slots)[0])
        except WarehouseError as exc:
            totals = ManifestTotals(statement, scope, parsed, error=exc)
        self._totals[index] = totals
        return totals

    def column_stats(self) -> ColumnStats | None:
        """Null counts and ranges now of the columns the previous profile measured (one
        statement, run once); None without a previous profile of a column still there."""
        if self._stats:
            return self._stats[0]
        self._stats.append(self._measure_columns())
        return self._stats[0]

    def _measure_columns(self) -> ColumnStats | None:
        plan, limits = self.plan, self.limits
        if plan.previous is None:
            return None
        measured = []
        for column in plan.previous.columns:
            current = plan.table.column(column.name)
            if current is None:
                continue
            measured.append((len(measured), current.name, column, column_category(current.type)))
        if not measured:
            return None
        fragments = []
        for index, column_name, _, category in measured:
            slots = {"column": quote_identifier(column_name), "index": str(index)}
            fragments.append(self.warehouse.statement("validation_column_nulls", slots).strip())
            if category in ("numeric", "temporal"):
                fragments.append(self.warehouse.statement("validation_column_range", slots).strip())
        rows = plan.table.row_count or 0
        fraction = min(1.0, limits.sample_rows / rows) if rows > limits.sample_rows else 1.0
        statement = "validation_column_stats"
        since = f"since the profile of {plan.previous_date}" if plan.previous_date else "since the previous profile"
        try:
            row = self.warehouse.run(statement, {"sample_fraction": fraction},
                                     {"table": quote_identifier(self.name), "column_aggregates": "\n".join(fragments)})[0]
        except WarehouseError as exc:
            return ColumnStats(statement, measured, fraction, since, error=exc)
        return ColumnStats(statement, measured, fraction, since, row=row)


def evidence(kind: str, name: str, value: Any = None) -> Evidence:
    return Evidence(kind=kind, name=name, value=value)


__all__ = [
    "AT_FRESHNESS", "AT_KEY", "AT_MANIFESTS", "AT_PROFILE", "Checksum", "ColumnStats", "Limits",
    "ManifestTotals", "TableValidation", "ValidationContext", "ValidationPlan", "Verdict", "check",
    "comparable", "evidence", "instant", "number",
]
