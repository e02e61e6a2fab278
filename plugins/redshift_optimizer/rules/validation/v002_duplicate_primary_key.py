"""V002 duplicate-primary-key: duplicate primary key values."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.errors import WarehouseError
from redshift_optimizer.models.findings import Severity
from redshift_optimizer.resources import quote_identifier
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import AT_KEY, ValidationContext, Verdict, check, evidence


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    name, plan, at = ctx.name, ctx.plan, (AT_KEY,)
    key = [c for c in plan.primary_key if plan.table.column(c) is not None]
    if not plan.primary_key:
        return
    if len(key) != len(plan.primary_key):
        yield Verdict(check("V002", name, "skipped", expected=plan.primary_key,
                            detail="a key column is not in the table"), at)
        return
    statement = "validation_duplicate_keys"
    try:
        row = ctx.warehouse.run(statement, {}, {"table": quote_identifier(name),
                                                "key_columns": ", ".join(quote_identifier(c) for c in key)})[0]
    except WarehouseError as exc:
        yield Verdict(check("V002", name, "skipped", detail=str(exc), statement=statement), at)
        return
    duplicated, extra = int(row["duplicated_keys"] or 0), int(row["extra_rows"] or 0)
    result = check("V002", name, "failed" if duplicated else "passed", column=", ".join(key),
                   observed={"duplicated_keys": duplicated, "extra_rows": extra}, expected=0,
                   detail=f"primary key ({', '.join(key)})", statement=statement)
    yield Verdict(result, at, Hit(
        message=(f"{name}: {duplicated:,} value(s) of the primary key ({', '.join(key)}) appear more than once "
                 f"({extra:,} extra row(s))"),
        evidence=[evidence("metric", "duplicated_keys", duplicated), evidence("metric", "extra_rows", extra),
                  evidence("column", f"{name}.{', '.join(key)}")]) if duplicated else None)


RULE = Rule(
    code="V002",
    name="duplicate-primary-key",
    title="Duplicate primary key values",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="The declared or configured primary key has duplicates (Redshift does not enforce it).",
    documentation=Documentation(
        what=(
            "Values of the table's primary key (the one configured in `validation_primary_keys`, else "
            "a manifest's `primary_key`, else the declared one) that appear on more than one row."
        ),
        why=(
            "Redshift accepts a PRIMARY KEY but never enforces it, and the planner trusts it: a "
            "duplicated key makes joins multiply rows and DISTINCT or GROUP BY that the planner "
            "skipped return wrong results. Loads that append instead of upsert cause it."
        ),
        anti_pattern="INSERT INTO orders SELECT * FROM orders_staging;  -- the same batch loaded twice",
        better=(
            "MERGE INTO orders USING orders_staging s ON orders.order_id = s.order_id\n"
            "WHEN MATCHED THEN UPDATE SET status = s.status WHEN NOT MATCHED THEN INSERT VALUES (s.order_id, s.status);"
        ),
    ),
    fix="De-duplicate the table and make the loads upsert (MERGE or S3ToRedshift UPSERT).",
    check=run,
    scope="validation",
    needs=("primary key", "warehouse"),
)
