"""Q013 cte-referenced-multiple-times: a CTE referenced two or more times."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def check(ctx: QueryContext) -> Iterator[Hit]:
    uses: dict[int, list] = {}
    names: dict[int, str] = {}
    for scope in ctx.scopes:
        sources = ctx.sources(scope)
        for table in scope.tables:  # the FROM/JOIN references written in this scope
            source = sources.get(table.alias_or_name.lower())
            derived = source.derived if source else None
            if derived is None or not isinstance(derived.expression.parent, exp.CTE):
                continue
            if derived is scope or _inside(scope, derived):
                continue  # a recursive CTE reading itself
            uses.setdefault(id(derived), []).append(source)
            names[id(derived)] = derived.expression.parent.alias_or_name
    for key, sources in uses.items():
        if len(sources) < 2:
            continue
        cte = sources[0].derived.expression.parent
        yield Hit(
            message=(
                f"CTE {names[key]} is referenced {len(sources)} times; Redshift evaluates a WITH "
                "subquery once as a common subexpression where it can, otherwise once per "
                "reference, repeating its scans and joins (EXPLAIN shows which)"
            ),
            evidence=[evidence.fragment(ctx, cte), evidence.metric(f"{names[key]} references", len(sources))],
            node=sources[1].node,
        )


def _inside(scope, ancestor) -> bool:
    while scope is not None:
        if scope is ancestor:
            return True
        scope = scope.parent
    return False


RULE = Rule(
    code="Q013",
    name="cte-referenced-multiple-times",
    title="CTE referenced more than once",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="A CTE is referenced two or more times.",
    documentation=Documentation(
        what="A common table expression referenced two or more times in the statement.",
        why=(
            "Redshift inlines a CTE at each reference rather than materializing it, so its scans, "
            "joins and aggregates run once per reference."
        ),
        anti_pattern=(
            "WITH rev AS (SELECT supp_id, SUM(amount) total FROM sales GROUP BY 1) "
            "SELECT * FROM rev WHERE total = (SELECT MAX(total) FROM rev)"
        ),
        better=(
            "CREATE TEMP TABLE rev AS SELECT supp_id, SUM(amount) total FROM sales GROUP BY 1; "
            "SELECT * FROM rev WHERE total = (SELECT MAX(total) FROM rev)"
        ),
    ),
    fix="Materialize it once in a temp table, or restructure to a single reference (e.g. a window function).",
    check=check,
)
