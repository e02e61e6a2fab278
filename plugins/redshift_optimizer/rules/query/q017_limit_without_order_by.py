"""Q017 limit-without-order-by: LIMIT, TOP or OFFSET without ORDER BY, at any level."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def _no_limit(clause: exp.Expression) -> bool:
    """LIMIT ALL / LIMIT NULL: no limit at all; LIMIT 0: no rows at all (a query that only
    asks for the result's columns), so which rows are kept cannot vary."""
    value = clause.args.get("expression")
    return isinstance(clause, exp.Limit) and (
        isinstance(value, exp.Null) or (isinstance(value, exp.Var) and value.name.upper() == "ALL")
        or (isinstance(value, exp.Literal) and not value.is_string and str(value.this) == "0")
    )


def at_most_one_row(query: exp.Expression) -> bool:
    """A SELECT that returns at most one row: no FROM, or aggregates without GROUP BY."""
    if not isinstance(query, exp.Select) or query.args.get("group") is not None:
        return False
    if query.args.get("from_") is None and query.args.get("from") is None and not query.args.get("joins"):
        return True
    return bool(query.expressions) and all(
        any(isinstance(n, exp.AggFunc) and n.find_ancestor(exp.Window) is None for n in e.walk())
        and not any(isinstance(n, exp.Window) for n in e.walk())
        for e in query.expressions
    )


def _one_row_relations(query: exp.Expression) -> bool:
    """A SELECT over relations that are each one row (a cross join of scalar aggregates)."""
    if not isinstance(query, exp.Select) or query.args.get("group") is not None:
        return False
    from_ = query.args.get("from_") or query.args.get("from")
    relations = ([from_.this] if from_ is not None else []) + [j.this for j in query.args.get("joins") or []]
    inner = [r.this if isinstance(r, exp.Subquery) else None for r in relations]
    return bool(inner) and all(isinstance(q, exp.Select) and at_most_one_row(q) for q in inner)


def _row_generator(query: exp.Expression) -> bool:
    """``SELECT ROW_NUMBER() OVER () AS n FROM any_table LIMIT 1000``: a list of numbers; the
    rows read only count, so which rows the LIMIT keeps cannot change the result."""
    if not isinstance(query, exp.Select) or not query.expressions:
        return False
    return all(not any(True for _ in e.find_all(exp.Column)) for e in query.expressions) and any(
        isinstance(n, exp.Window) for e in query.expressions for n in e.walk())


def check(ctx: QueryContext) -> Iterator[Hit]:
    for query in ctx.find_all(exp.Select, exp.SetOperation):
        clauses = [query.args[k] for k in ("limit", "offset", "fetch") if query.args.get(k)]
        clauses = [c for c in clauses if not _no_limit(c)]
        clause = clauses[0] if clauses else None
        if clause is None or query.args.get("order") is not None:
            continue
        if at_most_one_row(query) or _one_row_relations(query) or _row_generator(query):
            continue  # one row (or none), or rows that are only counted: which rows are kept cannot vary
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
        what=(
            "A LIMIT, TOP, OFFSET or FETCH in a SELECT, at any level, with no ORDER BY in that "
            "SELECT. LIMIT ALL, LIMIT 0, a SELECT of at most one row (an aggregate without GROUP "
            "BY) and EXISTS subqueries are not reported: their result cannot vary."
        ),
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
