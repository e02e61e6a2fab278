"""T007 unsorted: table largely unsorted."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    unsorted = t.unsorted_pct is not None and t.unsorted_pct > ctx.settings.unsorted_pct_max
    benefit = t.vacuum_sort_benefit is not None and t.vacuum_sort_benefit >= ctx.settings.vacuum_sort_benefit_min
    if not (unsorted or benefit):
        return
    facts = [*evidence.table(t)]
    if t.unsorted_pct is not None:
        facts.append(evidence.metric(f"{t.table_name}.unsorted_pct", t.unsorted_pct))
    if t.vacuum_sort_benefit is not None:
        facts.append(evidence.metric(f"{t.table_name}.vacuum_sort_benefit", t.vacuum_sort_benefit))
    yield Hit(
        message=(f"{t.table_name} is {t.unsorted_pct if t.unsorted_pct is not None else '?'}% unsorted "
                 f"(vacuum sort benefit {t.vacuum_sort_benefit if t.vacuum_sort_benefit is not None else '?'}): "
                 "zone maps of the unsorted region overlap, so range filters read more blocks"),
        evidence=facts, table=t.table_name,
    )


RULE = Rule(
    code="T007",
    name="unsorted",
    title="Table largely unsorted",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="unsorted_pct > 20 or vacuum_sort_benefit >= 10.",
    documentation=Documentation(
        what=(
            "More than `unsorted_pct_max` percent of the rows unsorted, or a vacuum sort benefit of "
            "at least `vacuum_sort_benefit_min`."
        ),
        why=(
            "Rows appended after the last sort form an unsorted region whose zone maps overlap: "
            "range filters on the sort key cannot skip those blocks."
        ),
        anti_pattern="-- daily appends, no VACUUM for weeks",
        better="VACUUM SORT ONLY public.sales;",
    ),
    fix="VACUUM SORT ONLY.",
    check=check,
    scope="table",
)
