"""V001 row-count-mismatch: rows differ from the ETL manifest."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import AT_MANIFESTS, ValidationContext, Verdict, check, evidence


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    name, tolerance = ctx.name, ctx.limits.row_count_tolerance
    for index, manifest in enumerate(ctx.plan.manifests):
        totals = ctx.manifest_totals(index)
        at = (AT_MANIFESTS, index, 1)
        if totals.error is not None:
            yield Verdict(check("V001", name, "skipped", detail=f"{totals.scope}: {totals.error}",
                                statement=totals.statement), at)
            continue
        if manifest.row_count is None:
            continue
        observed = int(totals.row["row_count"])
        ok = abs(observed - manifest.row_count) <= tolerance
        result = check("V001", name, "passed" if ok else "failed", observed=observed, expected=manifest.row_count,
                       detail=totals.scope, statement=totals.statement)
        yield Verdict(result, at, None if ok else Hit(
            message=(f"{name}: {totals.scope} has {observed:,} rows, the manifest says {manifest.row_count:,} "
                     f"(tolerance {tolerance})"),
            evidence=[evidence("metric", "warehouse_rows", observed),
                      evidence("metric", "manifest_row_count", manifest.row_count),
                      evidence("metric", "load_id", manifest.load_id)]))


RULE = Rule(
    code="V001",
    name="row-count-mismatch",
    title="Rows differ from the ETL manifest",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="The table's rows for a load differ from the ETL manifest's row_count beyond tolerance (default 0).",
    documentation=Documentation(
        what=(
            "A load whose ETL manifest (`manifests/<schema>.<table>/YYYY/MM/DD/<load_id>.json`) states a "
            "`row_count` that the table's rows of that load (the `validation_load_column`, default "
            "`load_id`; without it the whole table) differ from by more than "
            "`validation_row_count_tolerance`."
        ),
        why=(
            "A COPY that skipped rows (MAXERROR), a load that ran twice or a truncated file leaves the "
            "table wrong while the job reports success; every report built on it is wrong too."
        ),
        anti_pattern="-- manifest of load L2: row_count 25; SELECT COUNT(*) ... WHERE load_id = 'L2' gives 20",
        better="SELECT COUNT(*) AS row_count FROM sales WHERE load_id = 'L2';  -- equals the manifest's row_count",
    ),
    fix="Re-run the load and check the COPY errors (SYS_LOAD_ERROR_DETAIL).",
    check=run,
    scope="validation",
    needs=("manifest", "warehouse"),
)
