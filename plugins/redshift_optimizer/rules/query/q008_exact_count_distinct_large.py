"""Q008 exact-count-distinct-large: COUNT(DISTINCT ...) over a large table."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.trees import columns_outside_subqueries


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    seen: set[tuple[int, str]] = set()
    for count in ctx.find_all(exp.Count):
        if not isinstance(count.this, exp.Distinct):
            continue
        # The same aggregate written twice in one SELECT (in the list and again in ORDER BY or
        # HAVING) is computed once: one finding.
        scope = count.find_ancestor(exp.Select)
        key = (id(scope), count.sql(dialect="redshift").lower())
        if key in seen:
            continue
        seen.add(key)
        origins = [ctx.origin(c) for c in columns_outside_subqueries(count.this)]
        large = [o for o in origins if o is not None and ctx.is_large(o.table)]
        if not large:
            continue
        origin = large[0]
        yield Hit(
            message=(
                f"{ctx.fragment(count)} counts exact distinct values of {origin.qualified} over "
                f"{evidence.rows(origin.table)}: every value is redistributed by hash to find "
                "duplicates; APPROXIMATE COUNT(DISTINCT ...) uses HyperLogLog (about 2% error) "
                "in one pass"
            ),
            evidence=[evidence.fragment(ctx, count), evidence.column(origin.qualified),
                      *evidence.table(origin.table)],
            table=origin.table.table_name,
            column=origin.name,
            node=count,
        )


RULE = Rule(
    code="Q008",
    name="exact-count-distinct-large",
    title="Exact COUNT(DISTINCT) over a large table",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="COUNT(DISTINCT ...) over a large table where an approximate count may do.",
    documentation=Documentation(
        what="COUNT(DISTINCT ...) over a column of a large table.",
        why=(
            "An exact distinct count redistributes every value across slices by hash and keeps "
            "them all in memory (or spills). HyperLogLog needs one pass and a few kilobytes."
        ),
        anti_pattern="SELECT COUNT(DISTINCT customer_id) FROM sales",
        better="SELECT APPROXIMATE COUNT(DISTINCT customer_id) FROM sales",
    ),
    fix="APPROXIMATE COUNT(DISTINCT ...) where about 2% error is acceptable (changes results: never rewritten silently).",
    check=check,
    needs=("snapshot",),
)
