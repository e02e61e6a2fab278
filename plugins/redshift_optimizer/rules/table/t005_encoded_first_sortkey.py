"""T005 encoded-first-sortkey: first sort-key column is compressed."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext, is_encoded


def check(ctx: TableContext) -> Iterator[Hit]:
    first = ctx.first_sort_key
    if first is None or not is_encoded(first.encoding) or ctx.table.sort_key_type == "INTERLEAVED":
        return
    t = ctx.table
    yield Hit(
        message=(f"the first sort-key column {t.table_name}.{first.name} is compressed ({first.encoding}); "
                 "compressed sort keys pack many more values per block than the other columns, so a "
                 "range filter reads more blocks of them than it skips"),
        evidence=[evidence.column(f"{t.table_name}.{first.name}", first.encoding), *evidence.table(t)],
        table=t.table_name, column=first.name,
    )


RULE = Rule(
    code="T005",
    name="encoded-first-sortkey",
    title="First sort-key column is compressed",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="The first sort-key column carries a compression encoding.",
    documentation=Documentation(
        what="The leading column of a compound sort key has an encoding other than RAW.",
        why=(
            "Compressed, the sort key packs far more values per block than the columns it filters, "
            "so a narrow range still touches many blocks of the other columns."
        ),
        anti_pattern="CREATE TABLE sales (sale_date DATE ENCODE AZ64, ...) SORTKEY(sale_date);",
        better="ALTER TABLE sales ALTER COLUMN sale_date ENCODE RAW;",
    ),
    fix="ENCODE RAW on the first sort-key column.",
    check=check,
    scope="table",
)
