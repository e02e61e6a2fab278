"""Q014 distinct-with-group-by: SELECT DISTINCT whose GROUP BY already makes rows unique."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def redundant_distinct(select: exp.Select, ctx: QueryContext | None = None) -> bool:
    """True when every GROUP BY key is an output column, so groups are already unique rows.

    A key that names an output alias counts only when it cannot be an input column of the
    same name (``SELECT DISTINCT UPPER(c) AS c ... GROUP BY c`` groups by the input ``c``,
    as PostgreSQL resolves it, and then the DISTINCT may merge groups)."""
    distinct = select.args.get("distinct")
    group = select.args.get("group")
    if distinct is None or distinct.args.get("on") is not None or group is None:
        return False
    if any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")):
        return False
    keys = list(group.expressions)
    if not keys:
        return False
    projections = select.expressions
    outputs = {p.unalias() for p in projections}
    aliases = {p.alias.lower(): p.this for p in projections if isinstance(p, exp.Alias)}
    for key in keys:
        if isinstance(key, exp.Literal) and not key.is_string:  # GROUP BY 1
            position = int(key.this)
            if not 1 <= position <= len(projections):
                return False
            continue
        if key in outputs:
            continue
        if isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            aliased = aliases[key.name.lower()]
            if isinstance(aliased, exp.Column) and aliased.name.lower() == key.name.lower():
                continue  # "t.c AS c ... GROUP BY c": the same column either way
            if _not_an_input_column(key.name, select, ctx):
                continue
        return False
    return True


def _not_an_input_column(name: str, select: exp.Select, ctx: QueryContext | None) -> bool:
    """True when no relation of the SELECT can have a column of that name."""
    scope = ctx.scope_of(select) if ctx is not None else None
    if scope is None or scope.expression is not select:
        return False
    sources = list(ctx.sources(scope).values())
    return bool(sources) and all(
        s.kind != "other" and ctx.has_column(s, name.lower()) is False for s in sources
    )


def check(ctx: QueryContext) -> Iterator[Hit]:
    for select in ctx.statement.find_all(exp.Select):
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
