"""T010 interleaved-sortkey: interleaved sort key."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if (t.sort_key_type or "").upper() != "INTERLEAVED":
        return
    yield Hit(
        message=(f"{t.table_name} has an INTERLEAVED sort key ({', '.join(t.sort_keys)}): it needs "
                 "VACUUM REINDEX as data grows, and loads and vacuums cost more than with a compound key"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.sort_key_type", t.sort_key_type)],
        table=t.table_name,
    )


RULE = Rule(
    code="T010",
    name="interleaved-sortkey",
    title="Interleaved sort key",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="The table has an INTERLEAVED sort key.",
    documentation=Documentation(
        what="A table with an INTERLEAVED sort key.",
        why=(
            "Interleaved keys degrade as data is appended and need VACUUM REINDEX, which is slow; "
            "loads and vacuums cost more."
        ),
        anti_pattern="CREATE TABLE t (...) INTERLEAVED SORTKEY(a, b, c);",
        better="ALTER TABLE t ALTER COMPOUND SORTKEY (a, b);  -- or SORTKEY AUTO",
    ),
    fix="A compound sort key, or AUTO.",
    check=check,
    scope="table",
)
