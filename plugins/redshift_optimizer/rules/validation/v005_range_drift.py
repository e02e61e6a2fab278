"""V005 range-drift: values outside the previous range."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import (
    AT_PROFILE,
    ValidationContext,
    Verdict,
    check,
    comparable,
    evidence,
)


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    stats = ctx.column_stats()
    if stats is None or stats.error is not None:
        return  # V003 reports the statement that could not run
    name, drift, row = ctx.name, ctx.limits.range_drift, stats.row
    for index, column_name, previous, category in stats.measured:
        if category not in ("numeric", "temporal") or previous.min is None or previous.max is None:
            continue
        at = (AT_PROFILE, index, 1)
        low, high = comparable(previous.min, category), comparable(previous.max, category)
        now_low, now_high = comparable(row.get(f"c{index}_min"), category), comparable(row.get(f"c{index}_max"), category)
        if None in (low, high, now_low, now_high) or high <= low:
            yield Verdict(check("V005", name, "skipped", column=column_name,
                                detail="no range to compare (empty, constant or unparsable)"), at)
            continue
        slack = drift * (high - low)
        ok = now_low >= low - slack and now_high <= high + slack
        observed = {"min": row.get(f"c{index}_min"), "max": row.get(f"c{index}_max")}
        expected = {"min": previous.min, "max": previous.max}
        result = check("V005", name, "passed" if ok else "failed", column=column_name, observed=observed,
                       expected=expected, detail=f"range {stats.since}, {drift:.0%} of its width allowed",
                       statement=stats.statement)
        yield Verdict(result, at, None if ok else Hit(
            message=(f"{name}.{column_name}: range {observed['min']} .. {observed['max']} left {expected['min']} .. "
                     f"{expected['max']} {stats.since} by more than {drift:.0%} of its width"),
            evidence=[evidence("metric", "range", observed), evidence("metric", "previous_range", expected)]))


RULE = Rule(
    code="V005",
    name="range-drift",
    title="Values outside the previous range",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="Min/max left the previous profile's range by more than 50% of its width.",
    documentation=Documentation(
        what=(
            "A numeric or date column the previous data profile measured whose minimum or maximum now "
            "lies outside the profiled range widened by `validation_range_drift` of its width on "
            "each side. A constant or empty column has no range and is reported skipped."
        ),
        why=(
            "Amounts loaded in cents instead of units, dates parsed with day and month swapped, or a "
            "test record in production move the range long before anyone notices the totals."
        ),
        anti_pattern="-- payments.amount: 1 .. 100 in the previous profile, now up to 10,000",
        better="SELECT MIN(amount) AS c0_min, MAX(amount) AS c0_max FROM payments;  -- within 1 - 49.5 .. 100 + 49.5",
    ),
    fix="Check units and parsing of the column.",
    check=run,
    scope="validation",
    needs=("previous profile", "warehouse"),
)
