"""Q014 distinct-with-group-by: SELECT DISTINCT whose GROUP BY already makes rows unique."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.redundancy import redundant_distinct


def check(ctx: QueryContext) -> Iterator[Hit]:
    for select in ctx.find_all(exp.Select):
        if not redundant_distinct(select, ctx):
            continue
        yield Hit(
            message=(
                "SELECT DISTINCT over a GROUP BY whose keys are all in the output: the groups are "
                "already unique, so the DISTINCT adds a second de-duplication for nothing"
            ),
            evidence=[evidence.fragment(ctx, select.args["group"])],
            node=select.args["group"],
        )


RULE = Rule(
    code="Q014",
    name="distinct-with-group-by",
    title="DISTINCT on an already grouped result",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="SELECT DISTINCT whose GROUP BY already makes the rows unique.",
    documentation=Documentation(
        what="SELECT DISTINCT on a query whose GROUP BY keys all appear in the select list.",
        why="Each group yields one row with distinct keys; the DISTINCT hashes or sorts the result again.",
        anti_pattern="SELECT DISTINCT customer_id, SUM(amount) FROM sales GROUP BY customer_id",
        better="SELECT customer_id, SUM(amount) FROM sales GROUP BY customer_id",
    ),
    fix="Drop DISTINCT (equivalent; the rewrite does it).",
    check=check,
)
