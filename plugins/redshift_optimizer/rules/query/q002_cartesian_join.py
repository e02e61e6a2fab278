"""Q002 cartesian-join: CROSS JOIN, ON TRUE, or comma-joined relations with nothing linking them."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.simplify import simplify

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.joins import join_graph
from redshift_optimizer.sql.scans import single_row
from redshift_optimizer.sql.scopes import is_ancestor


def _is_comma(join: exp.Join) -> bool:
    return not (join.args.get("on") or join.args.get("using") or join.args.get("kind")
                or join.args.get("side") or join.args.get("method"))


def always_true(condition: exp.Expression | None) -> bool:
    """A join condition that holds for every pair of rows: TRUE, 1 = 1, 'a' = 'a' ..."""
    if condition is None or any(True for _ in condition.find_all(exp.Column, exp.Query)):
        return False
    try:
        simplified = simplify(condition.copy(), dialect="redshift")
    except Exception:  # noqa: BLE001
        return False
    return isinstance(simplified, exp.Boolean) and simplified.this is True


def _lateral(ctx: QueryContext, source, scope) -> bool:
    """A derived relation that reads columns of the relations before it (LATERAL): the
    correlation is its join condition."""
    if isinstance(source.node, exp.Lateral) or isinstance(source.node.parent, exp.Lateral):
        return True
    if source.derived is None:
        return False
    inner = [s for s in ctx.scopes if s is source.derived or is_ancestor(source.derived, s)]
    return any(
        (found := ctx.source_of(column)) is not None and found.scope is scope
        for s in inner for column in ctx.columns_of(s)
    )


def _hit(ctx: QueryContext, source, join, message: str) -> Hit:
    facts = [evidence.fragment(ctx, join)] + evidence.table(source.table, source.name)
    return Hit(message=message, evidence=facts, node=join,
               table=source.table.table_name if source.table else None)


def check(ctx: QueryContext) -> Iterator[Hit]:
    for scope in ctx.select_scopes():
        order = ctx.joined_sources(scope)
        if len(order) < 2:
            continue
        graph = None
        for index, (source, join) in enumerate(order):
            if join is None or source.kind == "other" or single_row(source) or _lateral(ctx, source, scope):
                continue
            if all(single_row(s) for s, _ in order[:index]):
                continue  # everything before it is one row: the product has its row count
            kind = (join.args.get("kind") or "").upper()
            on = join.args.get("on")
            if kind == "CROSS" or always_true(on):
                yield _hit(ctx, source, join,
                           f"{source.name} is joined with no condition ({ctx.fragment(join)}): every "
                           "row meets every row of the relations before it")
                continue
            if join.args.get("using") or (join.args.get("method") or "").upper() == "NATURAL":
                continue
            if on is not None and not any(True for _ in on.find_all(exp.Column)):
                continue  # ON FALSE and other constants: no pairs at all
            graph = graph or join_graph(ctx, scope)
            if graph.unresolved:
                continue  # a predicate we cannot attribute might link it
            earlier = [s for s, _ in order[:index]]
            # Linked to an earlier relation directly or through others (any predicate: a
            # link by non-equalities only is Q019's case).
            group = next(c for c in graph.components() if source in c)
            if any(s in group for s in earlier):
                continue
            how = "comma-joined" if _is_comma(join) else f"joined ON {ctx.fragment(on)}" if on is not None \
                else "joined"
            yield _hit(ctx, source, join,
                       f"{source.name} is {how} with no predicate linking it to "
                       f"{', '.join(s.name or 'a derived table' for s in earlier)}: a cartesian product")


RULE = Rule(
    code="Q002",
    name="cartesian-join",
    title="Cartesian product between relations",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="CROSS JOIN, JOIN ... ON TRUE, or comma-joined relations with no predicate linking them.",
    documentation=Documentation(
        what=(
            "A CROSS JOIN, a `JOIN ... ON TRUE` (or any always-true condition such as `ON 1 = 1`), "
            "a JOIN whose ON condition does not involve the relations before it, or a relation in "
            "a comma-separated FROM list that no WHERE predicate links to the others. A cross join "
            "with a one-row derived table (an aggregate without GROUP BY) or with a LATERAL "
            "subquery correlated to the relations before it is not reported."
        ),
        why=(
            "The result has rows(a) x rows(b) rows. Redshift must broadcast one side to every "
            "slice and run a nested loop; on large tables it fills disks and queues."
        ),
        anti_pattern="SELECT o.id, c.name FROM orders o, customers c WHERE o.amount > 100",
        better="SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.amount > 100",
    ),
    fix="Add the join predicate (an equality between the relations' keys).",
    check=check,
)
