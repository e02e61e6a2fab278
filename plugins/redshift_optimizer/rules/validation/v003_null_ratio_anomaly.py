"""V003 null-ratio-anomaly: null ratio moved since the previous profile."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.validation.context import AT_PROFILE, ValidationContext, Verdict, check, evidence


def run(ctx: ValidationContext) -> Iterator[Verdict]:
    stats = ctx.column_stats()
    if stats is None:
        return
    name, allowed = ctx.name, ctx.limits.null_ratio_change
    if stats.error is not None:
        yield Verdict(check("V003", name, "skipped", detail=str(stats.error), statement=stats.statement), (AT_PROFILE,))
        return
    scanned = stats.scanned
    for index, column_name, previous, _ in stats.measured:
        if previous.null_ratio is None or not scanned:
            continue
        ratio = round((scanned - int(stats.row[f"c{index}_non_null"] or 0)) / scanned, 6)
        moved = abs(ratio - previous.null_ratio)
        ok = moved <= allowed
        result = check("V003", name, "passed" if ok else "failed", column=column_name, observed=ratio,
                       expected=previous.null_ratio,
                       detail=f"null ratio {stats.since}{' (sampled)' if stats.fraction < 1 else ''}",
                       statement=stats.statement)
        yield Verdict(result, (AT_PROFILE, index, 0), None if ok else Hit(
            message=(f"{name}.{column_name}: null ratio {previous.null_ratio:.1%} -> {ratio:.1%} {stats.since} "
                     f"({moved * 100:.1f} points; allowed {allowed * 100:.0f})"),
            evidence=[evidence("metric", "null_ratio", ratio),
                      evidence("metric", "previous_null_ratio", previous.null_ratio)]))


RULE = Rule(
    code="V003",
    name="null-ratio-anomaly",
    title="Null ratio moved since the previous profile",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A column's null ratio moved more than 10 points since the previous profile.",
    documentation=Documentation(
        what=(
            "A column the previous data profile measured whose share of NULLs now (on a sample of "
            "about `profile_sample_rows` rows for large tables) differs from the profiled one by more "
            "than `validation_null_ratio_change`."
        ),
        why=(
            "A column that suddenly fills with NULLs is usually a renamed or dropped source field, or a "
            "parse failure COPY turned into NULL; joins and filters on it silently lose rows."
        ),
        anti_pattern="-- payments.channel: 0% NULL in yesterday's profile, 33% NULL today",
        better="SELECT COUNT(*) AS sample_rows, COUNT(channel) AS c0_non_null FROM payments;  -- compared with the profile",
    ),
    fix="Check the source mapping of the column.",
    check=run,
    scope="validation",
    needs=("previous profile", "warehouse"),
)
