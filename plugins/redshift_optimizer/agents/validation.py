"""The data-validation agent's checks (V codes of finding-codes.md), run as SQL inside the
warehouse. Only counts and aggregates come back; every statement is a file
``include/sql/redshift/validation_*.sql``.

One check, one unit: each :class:`ValidationRule` names its code, what it catches, its
severity and fix; the ``check_*`` function below it runs it. A table is checked when the
day has ETL manifests for it (``manifests/<schema>.<table>/YYYY/MM/DD/<load_id>.json``) or
when an earlier profile measured it. What cannot be checked is reported ``skipped`` with the
reason, never guessed.

Manifests are checked per load when the table has the load-id column (setting
``validation_load_column``); without it the manifest is compared with the whole table (a
full-refresh load), which the check's detail says.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from pydantic import BaseModel, Field

from redshift_optimizer import lake_keys
from redshift_optimizer.catalog.profile import column_category
from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.agents import ValidationCheck
from redshift_optimizer.models.findings import Evidence, Finding, Severity
from redshift_optimizer.models.lake import EtlManifest, TableProfile, TableSnapshot
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationRule:
    code: str
    name: str
    title: str
    severity: Severity
    what: str
    fix: str


V_RULES: dict[str, ValidationRule] = {r.code: r for r in (
    ValidationRule("V001", "row-count-mismatch", "Rows differ from the ETL manifest", Severity.HIGH,
                   "the table's rows for a load differ from the manifest's row_count beyond the tolerance",
                   "Re-run the load and check the COPY errors (SYS_LOAD_ERROR_DETAIL)."),
    ValidationRule("V002", "duplicate-primary-key", "Duplicate primary key values", Severity.HIGH,
                   "the declared or configured primary key has duplicates (Redshift does not enforce it)",
                   "De-duplicate the table and make the loads upsert (MERGE or S3ToRedshift UPSERT)."),
    ValidationRule("V003", "null-ratio-anomaly", "Null ratio moved since the previous profile", Severity.MEDIUM,
                   "a column's null ratio moved more than the allowed points since the previous profile",
                   "Check the source mapping of the column."),
    ValidationRule("V004", "stale-data", "Data older than its SLA", Severity.MEDIUM,
                   "the newest value of the table's freshness column is older than its SLA",
                   "Check the upstream load schedule."),
    ValidationRule("V005", "range-drift", "Values outside the previous range", Severity.LOW,
                   "min/max left the previous profile's range by more than the allowed share of its width",
                   "Check units and parsing of the column."),
    ValidationRule("V006", "checksum-mismatch", "Checksum differs from the ETL manifest", Severity.HIGH,
                   "a manifest checksum (e.g. sum of a column) differs from the warehouse's",
                   "Re-run the load."),
)}

_CHECKSUM = re.compile(r"^\s*(sum|count|count_distinct|min|max)\s*:\s*(.+?)\s*$", re.I)


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


def manifest_prefix(table: str, day: date) -> str:
    """The lake prefix of one table's manifests of one day."""
    return lake_keys.manifests(table, day)


def _check(code: str, table: str, status: str, *, column: str | None = None, observed: Any = None,
           expected: Any = None, detail: str = "", statement: str | None = None) -> ValidationCheck:
    return ValidationCheck(code=code, table=table, column=column, status=status, observed=observed,
                           expected=expected, detail=detail, statement=statement)


def _finding(check: ValidationCheck, message: str, evidence: list[Evidence]) -> Finding:
    rule = V_RULES[check.code]
    return Finding(code=rule.code, severity=rule.severity, title=rule.title, message=message,
                   evidence=[Evidence(kind="table", name=check.table), *evidence], fix=rule.fix,
                   table=check.table, column=check.column)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _instant(value: Any) -> float | None:
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


def _comparable(value: Any, category: str | None) -> float | None:
    return _number(value) if category == "numeric" else _instant(value)


# ----------------------------------------------------------------- V001 + V006 manifests

def check_manifests(warehouse: Warehouse, plan: ValidationPlan, limits: Limits) -> TableValidation:
    """V001 and V006: each manifest's row_count and checksums against the warehouse."""
    name = plan.table.table_name
    result = TableValidation(table=name)
    has_load_column = plan.table.column(limits.load_column) is not None
    for manifest in plan.manifests:
        parsed: list[tuple[str, str, str, float]] = []  # (column, function, raw expected, expected)
        for column, text in manifest.checksums.items():
            match = _CHECKSUM.match(str(text))
            expected = _number(match.group(2)) if match else None
            if not match or expected is None or plan.table.column(column) is None:
                result.checks.append(_check("V006", name, "skipped", column=column, expected=text,
                                            detail=f"load {manifest.load_id}: checksum {text!r} on column {column!r} "
                                                   "is not sum|count|count_distinct|min|max:<number> of a known column"))
                continue
            parsed.append((column, match.group(1).lower(), text, expected))
        fragments = [
            warehouse.statement(f"validation_aggregate_{fn}", {"column": quote_identifier(col), "index": str(i)}).strip()
            for i, (col, fn, _, _) in enumerate(parsed)
        ]
        slots = {"table": quote_identifier(name), "aggregates": "\n".join(fragments)}
        if has_load_column:
            statement = "validation_load_totals"
            slots["load_column"] = quote_identifier(limits.load_column)
            params = {"load_id": manifest.load_id}
            scope = f"load {manifest.load_id} ({limits.load_column} = the load id)"
        else:
            statement, params = "validation_table_totals", {}
            scope = f"load {manifest.load_id} compared with the whole table (no {limits.load_column} column)"
        try:
            row = warehouse.run(statement, params, slots)[0]
        except WarehouseError as exc:
            for code in ("V001", "V006"):
                result.checks.append(_check(code, name, "skipped", detail=f"{scope}: {exc}", statement=statement))
            continue
        if manifest.row_count is not None:
            observed = int(row["row_count"])
            ok = abs(observed - manifest.row_count) <= limits.row_count_tolerance
            check = _check("V001", name, "passed" if ok else "failed", observed=observed,
                           expected=manifest.row_count, detail=scope, statement=statement)
            result.checks.append(check)
            if not ok:
                result.findings.append(_finding(
                    check, f"{name}: {scope} has {observed:,} rows, the manifest says {manifest.row_count:,} "
                           f"(tolerance {limits.row_count_tolerance})",
                    [Evidence(kind="metric", name="warehouse_rows", value=observed),
                     Evidence(kind="metric", name="manifest_row_count", value=manifest.row_count),
                     Evidence(kind="metric", name="load_id", value=manifest.load_id)]))
        for i, (column, fn, raw, expected) in enumerate(parsed):
            observed = _number(row.get(f"a{i}"))
            tolerance = max(0.005, abs(expected) * 1e-9)
            ok = observed is not None and abs(observed - expected) <= tolerance
            check = _check("V006", name, "passed" if ok else "failed", column=column, observed=observed,
                           expected=expected, detail=f"{fn}({column}) over {scope}", statement=statement)
            result.checks.append(check)
            if not ok:
                result.findings.append(_finding(
                    check, f"{name}.{column}: {fn} over {scope} is {observed}, the manifest says {raw}",
                    [Evidence(kind="metric", name=f"warehouse_{fn}", value=observed),
                     Evidence(kind="metric", name=f"manifest_{fn}", value=expected),
                     Evidence(kind="metric", name="load_id", value=manifest.load_id)]))
    return result


# ------------------------------------------------------------------------ V002 keys

def check_primary_key(warehouse: Warehouse, plan: ValidationPlan, limits: Limits) -> TableValidation:
    name = plan.table.table_name
    result = TableValidation(table=name)
    key = [c for c in plan.primary_key if plan.table.column(c) is not None]
    if not plan.primary_key:
        return result
    if len(key) != len(plan.primary_key):
        result.checks.append(_check("V002", name, "skipped", expected=plan.primary_key,
                                    detail="a key column is not in the table"))
        return result
    statement = "validation_duplicate_keys"
    try:
        row = warehouse.run(statement, {}, {"table": quote_identifier(name),
                                            "key_columns": ", ".join(quote_identifier(c) for c in key)})[0]
    except WarehouseError as exc:
        result.checks.append(_check("V002", name, "skipped", detail=str(exc), statement=statement))
        return result
    duplicated, extra = int(row["duplicated_keys"] or 0), int(row["extra_rows"] or 0)
    check = _check("V002", name, "failed" if duplicated else "passed", column=", ".join(key),
                   observed={"duplicated_keys": duplicated, "extra_rows": extra}, expected=0,
                   detail=f"primary key ({', '.join(key)})", statement=statement)
    result.checks.append(check)
    if duplicated:
        result.findings.append(_finding(
            check, f"{name}: {duplicated:,} value(s) of the primary key ({', '.join(key)}) appear more than once "
                   f"({extra:,} extra row(s))",
            [Evidence(kind="metric", name="duplicated_keys", value=duplicated),
             Evidence(kind="metric", name="extra_rows", value=extra),
             Evidence(kind="column", name=f"{name}.{', '.join(key)}")]))
    return result


# ------------------------------------------------------------- V003 + V005 vs profile

def check_against_profile(warehouse: Warehouse, plan: ValidationPlan, limits: Limits) -> TableValidation:
    """V003 (null ratio) and V005 (range) of the columns the previous profile measured."""
    name = plan.table.table_name
    result = TableValidation(table=name)
    if plan.previous is None:
        return result
    measured = []
    for column in plan.previous.columns:
        current = plan.table.column(column.name)
        if current is None:
            continue
        measured.append((len(measured), current.name, column, column_category(current.type)))
    if not measured:
        return result
    fragments = []
    for index, column_name, _, category in measured:
        slots = {"column": quote_identifier(column_name), "index": str(index)}
        fragments.append(warehouse.statement("validation_column_nulls", slots).strip())
        if category in ("numeric", "temporal"):
            fragments.append(warehouse.statement("validation_column_range", slots).strip())
    rows = plan.table.row_count or 0
    fraction = min(1.0, limits.sample_rows / rows) if rows > limits.sample_rows else 1.0
    statement = "validation_column_stats"
    try:
        row = warehouse.run(statement, {"sample_fraction": fraction},
                            {"table": quote_identifier(name), "column_aggregates": "\n".join(fragments)})[0]
    except WarehouseError as exc:
        result.checks.append(_check("V003", name, "skipped", detail=str(exc), statement=statement))
        return result
    scanned = int(row["sample_rows"] or 0)
    since = f"since the profile of {plan.previous_date}" if plan.previous_date else "since the previous profile"
    for index, column_name, previous, category in measured:
        if previous.null_ratio is not None and scanned:
            ratio = round((scanned - int(row[f"c{index}_non_null"] or 0)) / scanned, 6)
            moved = abs(ratio - previous.null_ratio)
            ok = moved <= limits.null_ratio_change
            check = _check("V003", name, "passed" if ok else "failed", column=column_name, observed=ratio,
                           expected=previous.null_ratio,
                           detail=f"null ratio {since}{' (sampled)' if fraction < 1 else ''}", statement=statement)
            result.checks.append(check)
            if not ok:
                result.findings.append(_finding(
                    check, f"{name}.{column_name}: null ratio {previous.null_ratio:.1%} -> {ratio:.1%} {since} "
                           f"({moved * 100:.1f} points; allowed {limits.null_ratio_change * 100:.0f})",
                    [Evidence(kind="metric", name="null_ratio", value=ratio),
                     Evidence(kind="metric", name="previous_null_ratio", value=previous.null_ratio)]))
        if category not in ("numeric", "temporal") or previous.min is None or previous.max is None:
            continue
        low, high = _comparable(previous.min, category), _comparable(previous.max, category)
        now_low, now_high = _comparable(row.get(f"c{index}_min"), category), _comparable(row.get(f"c{index}_max"), category)
        if None in (low, high, now_low, now_high) or high <= low:
            result.checks.append(_check("V005", name, "skipped", column=column_name,
                                        detail="no range to compare (empty, constant or unparsable)"))
            continue
        slack = limits.range_drift * (high - low)
        ok = now_low >= low - slack and now_high <= high + slack
        observed = {"min": row.get(f"c{index}_min"), "max": row.get(f"c{index}_max")}
        expected = {"min": previous.min, "max": previous.max}
        check = _check("V005", name, "passed" if ok else "failed", column=column_name, observed=observed,
                       expected=expected, detail=f"range {since}, {limits.range_drift:.0%} of its width allowed",
                       statement=statement)
        result.checks.append(check)
        if not ok:
            result.findings.append(_finding(
                check, f"{name}.{column_name}: range {observed['min']} .. {observed['max']} left {expected['min']} .. "
                       f"{expected['max']} {since} by more than {limits.range_drift:.0%} of its width",
                [Evidence(kind="metric", name="range", value=observed),
                 Evidence(kind="metric", name="previous_range", value=expected)]))
    return result


# ------------------------------------------------------------------------ V004 freshness

def check_freshness(warehouse: Warehouse, plan: ValidationPlan, limits: Limits, reference: datetime) -> TableValidation:
    name = plan.table.table_name
    result = TableValidation(table=name)
    if not plan.freshness_column:
        return result
    column = plan.table.column(plan.freshness_column)
    if column is None:
        result.checks.append(_check("V004", name, "skipped", column=plan.freshness_column,
                                    detail="the freshness column is not in the table"))
        return result
    statement = "validation_freshness"
    try:
        row = warehouse.run(statement, {}, {"table": quote_identifier(name), "column": quote_identifier(column.name)})[0]
    except WarehouseError as exc:
        result.checks.append(_check("V004", name, "skipped", column=column.name, detail=str(exc), statement=statement))
        return result
    newest = _instant(row["newest"])
    sla = plan.freshness_sla_hours or 26.0
    if newest is None:
        check = _check("V004", name, "failed", column=column.name, observed=None, expected=f"<= {sla} h",
                       detail="the table has no value in its freshness column", statement=statement)
        age_hours = None
    else:
        age_hours = round((reference.timestamp() - newest) / 3600.0, 2)
        check = _check("V004", name, "passed" if age_hours <= sla else "failed", column=column.name,
                       observed={"newest": row["newest"], "age_hours": age_hours}, expected=f"<= {sla} h",
                       detail=f"age at {reference:%Y-%m-%dT%H:%M:%SZ}", statement=statement)
    result.checks.append(check)
    if check.status == "failed":
        result.findings.append(_finding(
            check, f"{name}.{column.name}: newest value {row['newest']} is "
                   + (f"{age_hours:,.1f} h old" if age_hours is not None else "missing") + f" (SLA {sla} h)",
            [Evidence(kind="metric", name="age_hours", value=age_hours),
             Evidence(kind="setting", name="sla_hours", value=sla)]))
    return result


CHECKS: tuple[Callable[..., TableValidation], ...] = (check_manifests, check_primary_key, check_against_profile)


def validate_table(warehouse: Warehouse, plan: ValidationPlan, limits: Limits, reference: datetime) -> TableValidation:
    """Every V check that applies to one table."""
    result = TableValidation(table=plan.table.table_name)
    for part in (*(check(warehouse, plan, limits) for check in CHECKS),
                 check_freshness(warehouse, plan, limits, reference)):
        result.checks += part.checks
        result.findings += part.findings
    return result


def reference_time(day: date, now: datetime | None = None) -> datetime:
    """The instant freshness is judged at: the end of the run's day, or now if earlier."""
    end = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=1)
    now = now or datetime.now(timezone.utc)
    return min(end, now)


def primary_key_for(table: TableSnapshot, manifests: Iterable[EtlManifest], configured: dict[str, list[str]]) -> list[str]:
    """The configured key, else a manifest's, else the declared one."""
    lowered = {k.lower(): v for k, v in configured.items()}
    if table.table_name.lower() in lowered:
        return list(lowered[table.table_name.lower()])
    for manifest in manifests:
        if manifest.primary_key:
            return list(manifest.primary_key)
    return list(table.primary_key)


__all__ = [
    "CHECKS",
    "Limits",
    "TableValidation",
    "V_RULES",
    "ValidationPlan",
    "ValidationRule",
    "check_against_profile",
    "check_freshness",
    "check_manifests",
    "check_primary_key",
    "manifest_prefix",
    "primary_key_for",
    "reference_time",
    "validate_table",
]
