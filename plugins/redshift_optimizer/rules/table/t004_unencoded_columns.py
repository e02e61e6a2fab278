"""T004 unencoded-columns: columns without compression."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext, is_encoded


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    first = ctx.first_sort_key
    columns = [c for c in t.columns if first is None or c.name.lower() != first.name.lower()]
    known = [c for c in columns if c.encoding is not None]
    if not known:
        return
    encoded = [c for c in known if is_encoded(c.encoding)]
    ratio = len(encoded) / len(known)
    if ratio >= ctx.settings.encoded_columns_min_ratio:
        return
    raw = [c.name for c in known if not is_encoded(c.encoding)]
    yield Hit(
        message=(f"only {len(encoded)} of {len(known)} columns of {t.table_name} (first sort key "
                 f"excluded) are compressed ({ratio:.0%}); uncompressed: {', '.join(raw[:10])}"
                 + (" ..." if len(raw) > 10 else "")),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.encoded_ratio", round(ratio, 3)),
                  *[evidence.column(f"{t.table_name}.{n}", "RAW") for n in raw[:10]]],
        table=t.table_name,
    )


RULE = Rule(
    code="T004",
    name="unencoded-columns",
    title="Columns without compression",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="Fewer than 80% of the columns (first sort key excepted) carry a compression encoding.",
    documentation=Documentation(
        what=(
            "Less than `encoded_columns_min_ratio` of the columns that are not the first sort key "
            "are encoded."
        ),
        why=(
            "Uncompressed columns take several times the disk and I/O; scans read more blocks and "
            "the cluster fills sooner."
        ),
        anti_pattern="CREATE TABLE t (id BIGINT ENCODE RAW, note VARCHAR(256) ENCODE RAW, ...);",
        better="ALTER TABLE t ALTER COLUMN note ENCODE ZSTD;  -- or ENCODE AUTO",
    ),
    fix="ENCODE AUTO, or AZ64 (numbers, dates) / ZSTD (text).",
    check=check,
    scope="table",
)
