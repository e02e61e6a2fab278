"""Q017 limit-without-order-by: LIMIT, TOP or OFFSET without ORDER BY, at any level."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def check(ctx: QueryContext) -> Iterator[Hit]:
    for query in ctx.statement.find_all(exp.Select, exp.SetOperation):
        clause = next((query.args[k] for k in ("limit", "offset", "fetch") if query.args.get(k)), None)
        if clause is None or query.args.get("order") is not None:
            continue
        if isinstance(query.parent, exp.SetOperation) and query.parent.args.get("order") is not None:
            continue
        if query.find_ancestor(exp.Exists) is not None:
            continue  # EXISTS (... LIMIT 1) asks only whether a row exists
        yield Hit(
            message=(
                f"{ctx.fragment(clause) or 'LIMIT'} without ORDER BY returns whichever rows the "
                "slices deliver first: the result can change from run to run"
            ),
            evidence=[evidence.fragment(ctx, clause)],
            node=clause,
        )


RULE = Rule(
    code="Q017",
    name="limit-without-order-by",
    title="LIMIT without ORDER BY",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="LIMIT, TOP or OFFSET in a SELECT (at any level) that has no ORDER BY.",
    documentation=Documentation(
        what="A LIMIT, TOP, OFFSET or FETCH in a SELECT, at any level, with no ORDER BY in that SELECT.",
        why=(
            "Slices return rows in no particular order: without ORDER BY the rows kept differ "
            "between runs, which breaks reports, pagination and result caching."
        ),
        anti_pattern="SELECT TOP 10 customer_id, amount FROM sales",
        better="SELECT TOP 10 customer_id, amount FROM sales ORDER BY amount DESC",
    ),
    fix="Add an ORDER BY that makes the rows kept deterministic.",
    check=check,
)
