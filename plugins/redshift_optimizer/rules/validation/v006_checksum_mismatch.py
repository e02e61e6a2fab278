"""V006 checksum-mismatch: checksum differs from the ETL manifest."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import (
    AT_MANIFESTS,
    ValidationContext,
    Verdict,
    check,
    evidence,
    number,
)


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    name = ctx.name
    for index, manifest in enumerate(ctx.plan.manifests):
        _, unusable = ctx.checksums(manifest)
        for position, (column, text) in enumerate(unusable):
            yield Verdict(check("V006", name, "skipped", column=column, expected=text,
                                detail=f"load {manifest.load_id}: checksum {text!r} on column {column!r} "
                                       "is not sum|count|count_distinct|min|max:<number> of a known column"),
                          (AT_MANIFESTS, index, 0, position))
        totals = ctx.manifest_totals(index)
        if totals.error is not None:
            yield Verdict(check("V006", name, "skipped", detail=f"{totals.scope}: {totals.error}",
                                statement=totals.statement), (AT_MANIFESTS, index, 2))
            continue
        for position, checksum in enumerate(totals.checksums):
            observed = number(totals.row.get(f"a{position}"))
            expected, fn, column = checksum.expected, checksum.function, checksum.column
            tolerance = max(0.005, abs(expected) * 1e-9)
            ok = observed is not None and abs(observed - expected) <= tolerance
            result = check("V006", name, "passed" if ok else "failed", column=column, observed=observed,
                           expected=expected, detail=f"{fn}({column}) over {totals.scope}", statement=totals.statement)
            yield Verdict(result, (AT_MANIFESTS, index, 2, position), None if ok else Hit(
                message=f"{name}.{column}: {fn} over {totals.scope} is {observed}, the manifest says {checksum.raw}",
                evidence=[evidence("metric", f"warehouse_{fn}", observed), evidence("metric", f"manifest_{fn}", expected),
                          evidence("metric", "load_id", manifest.load_id)]))


RULE = Rule(
    code="V006",
    name="checksum-mismatch",
    title="Checksum differs from the ETL manifest",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="A manifest checksum (e.g. sum of a column) differs from the warehouse's.",
    documentation=Documentation(
        what=(
            "A checksum of an ETL manifest, `sum|count|count_distinct|min|max:<number>` on a column of "
            "the table, that the same aggregate over the load's rows does not reproduce. A checksum "
            "of another form (an md5, an unknown column) is reported skipped."
        ),
        why=(
            "The row count can match while the values do not: a shifted column, a truncated decimal or "
            "a wrong delimiter changes sums, not counts."
        ),
        anti_pattern="-- manifest of load L2: amount sum:125.00; the load's rows sum to 100.00",
        better="SELECT SUM(amount) AS a0 FROM payments WHERE load_id = 'L2';  -- equals the manifest's 125.00",
    ),
    fix="Re-run the load.",
    check=run,
    scope="validation",
    needs=("manifest", "warehouse"),
)
