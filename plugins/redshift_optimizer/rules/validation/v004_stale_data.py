"""V004 stale-data: data older than its SLA."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.findings import Severity
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import AT_FRESHNESS, ValidationContext, Verdict, check, evidence, instant

#: Hours a table may go without new rows when its freshness setting gives no SLA.
DEFAULT_SLA_HOURS = 26.0


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    name, plan, reference, at = ctx.name, ctx.plan, ctx.reference, (AT_FRESHNESS,)
    if not plan.freshness_column:
        return
    column = plan.table.column(plan.freshness_column)
    if column is None:
        yield Verdict(check("V004", name, "skipped", column=plan.freshness_column,
                            detail="the freshness column is not in the table"), at)
        return
    statement = "validation_freshness"
    try:
        row = ctx.warehouse.run(statement, {}, {"table": quote_identifier(name), "column": quote_identifier(column.name)})[0]
    except WarehouseError as exc:
        yield Verdict(check("V004", name, "skipped", column=column.name, detail=str(exc), statement=statement), at)
        return
    newest = instant(row["newest"])
    sla = plan.freshness_sla_hours or DEFAULT_SLA_HOURS
    if newest is None:
        result = check("V004", name, "failed", column=column.name, observed=None, expected=f"<= {sla} h",
                       detail="the table has no value in its freshness column", statement=statement)
        age_hours = None
    else:
        age_hours = round((reference.timestamp() - newest) / 3600.0, 2)
        result = check("V004", name, "passed" if age_hours <= sla else "failed", column=column.name,
                       observed={"newest": row["newest"], "age_hours": age_hours}, expected=f"<= {sla} h",
                       detail=f"age at {reference:%Y-%m-%dT%H:%M:%SZ}", statement=statement)
    yield Verdict(result, at, Hit(
        message=(f"{name}.{column.name}: newest value {row['newest']} is "
                 + (f"{age_hours:,.1f} h old" if age_hours is not None else "missing") + f" (SLA {sla} h)"),
        evidence=[evidence("metric", "age_hours", age_hours), evidence("setting", "sla_hours", sla)],
    ) if result.status == "failed" else None)


RULE = Rule(
    code="V004",
    name="stale-data",
    title="Data older than its SLA",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="The newest value of the table's freshness column is older than its SLA.",
    documentation=Documentation(
        what=(
            "A table with a freshness column (setting `validation_freshness`: column and SLA in hours, "
            "default 26) whose newest value is older than the SLA at the end of the run's day (or "
            "now, if earlier), or that has no value in it at all."
        ),
        why=(
            "A load that stopped upstream leaves yesterday's numbers in every dashboard, with no error "
            "anywhere; only the age of the newest row shows it."
        ),
        anti_pattern="-- payments.paid_at: newest 2026-02-27 00:00, judged at 2026-03-02 00:00 with a 24 h SLA",
        better="SELECT MAX(paid_at) AS newest FROM payments;  -- within the SLA of the run's day",
    ),
    fix="Check the upstream load schedule.",
    check=run,
    scope="validation",
    needs=("freshness column", "warehouse"),
)
