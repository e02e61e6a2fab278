"""Q001 select-star: the statement's output includes ``*`` resolving to all columns of a base table."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.outputs import base_tables_behind, output_scopes, star_targets
from redshift_optimizer.sql.scopes import Source
from redshift_optimizer.sql.trees import is_star, stored_output


def _one_row(select: exp.Expression) -> bool:
    """A SELECT that returns at most one row because of ``LIMIT 1`` / ``TOP 1``."""
    limit = select.args.get("limit") if isinstance(select, exp.Select) else None
    value = limit.args.get("expression") if limit is not None else None
    return isinstance(value, exp.Literal) and str(value.this) == "1"


def _no_rows(select: exp.Expression) -> bool:
    """``LIMIT 0``: the query asks only for the result's columns; no block is read."""
    limit = select.args.get("limit") if isinstance(select, exp.Select) else None
    value = limit.args.get("expression") if limit is not None else None
    return isinstance(value, exp.Literal) and not value.is_string and str(value.this) == "0"


def _compares_whole_rows(select: exp.Expression) -> bool:
    """A branch of INTERSECT / EXCEPT (MINUS): the set operation compares every column of the
    row, so ``*`` is the comparison itself; naming fewer columns would change the result."""
    node = select.parent
    while isinstance(node, (exp.SetOperation, exp.Subquery, exp.Paren)):
        if isinstance(node, (exp.Intersect, exp.Except)):
            return True
        node = node.parent
    return False


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.root is None:
        return
    if stored_output(ctx.original):
        return  # a copy, a view or an export: what is selected is what is kept (a view's readers name their own)
    for scope in output_scopes(ctx.root):
        if _no_rows(scope.expression) or _compares_whole_rows(scope.expression):
            continue
        for projection in scope.expression.expressions:
            if not is_star(projection):
                continue
            tables: list[Source] = []
            for target in star_targets(ctx, scope, projection):
                if target.node.args.get("pivots"):
                    continue  # * returns the PIVOT / UNPIVOT output, which consumes the table's columns
                for base in base_tables_behind(ctx, target):
                    if base.table is not None and base not in tables:
                        tables.append(base)
            if not tables:
                continue  # no table behind it that the snapshot describes
            # One row (LIMIT 1, or an aggregate-free peek) reads one block per column: LOW.
            large = [t for t in tables if ctx.is_large(t.table)] if not _one_row(scope.expression) else []
            facts = [evidence.fragment(ctx, projection)]
            for t in tables:
                facts += evidence.table(t.table, t.name)
            names = ", ".join(f"{t.name} ({evidence.rows(t.table)})" for t in tables)
            yield Hit(
                message=(
                    f"{ctx.fragment(projection)} returns every column of {names}; "
                    "each column is a separate column chain on disk, so unused ones are read "
                    "and shipped between nodes for nothing"
                ),
                evidence=facts,
                severity=Severity.MEDIUM if large else Severity.LOW,
                table=(large or tables)[0].table.table_name if (large or tables)[0].table else None,
                node=projection,
            )


RULE = Rule(
    code="Q001",
    name="select-star",
    title="SELECT * reads every column",
    default_severity=Severity.LOW,
    severity_text="MEDIUM on a large table, else LOW (LOW for a one-row result)",
    summary="The output includes * (or t.*) resolving to all columns of a base table.",
    documentation=Documentation(
        what=(
            "A `*` or `t.*` in the statement's output that resolves to all columns of a base "
            "table, directly or through CTEs and subqueries that also use `*`. A `*` whose "
            "columns are narrowed later, or that reads a CTE naming its columns, costs nothing; "
            "`*` inside EXISTS and COUNT(*) are not stars. A `*` in a branch of INTERSECT or "
            "EXCEPT (MINUS) is the whole-row comparison, a `*` over PIVOT / UNPIVOT returns the "
            "pivot's output, and LIMIT 0 reads no rows: none is reported. Nor is a `*` over a table "
            "the snapshot does not describe (or with no snapshot): whether it has columns the "
            "query does not need, and what they cost, is unknown. Nor is a `*` in what "
            "a statement stores rather than returns (INSERT ... SELECT, CREATE TABLE AS, SELECT "
            "INTO, UNLOAD: a copy or an export holds every column it selects; CREATE VIEW: the "
            "queries that read the view choose their columns, and only theirs are read)."
        ),
        why=(
            "Redshift stores each column separately: a query reads only the blocks of the "
            "columns it names. `*` reads them all, and every extra column is redistributed or "
            "broadcast between slices and returned to the client."
        ),
        anti_pattern="SELECT * FROM public.sales WHERE sale_date >= '2026-01-01'",
        better="SELECT sale_id, customer_id, amount FROM public.sales WHERE sale_date >= '2026-01-01'",
    ),
    fix="Name the columns you use (the rewrite expands them from the snapshot).",
    check=check,
)
