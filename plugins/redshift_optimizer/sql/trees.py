"""Small readers of expression trees: the parts of AND and OR chains, the columns of an
expression outside its subqueries, stars."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp


def _flatten(expression: exp.Expression | None, kind: type) -> list[exp.Expression]:
    """The parts of a chain of ``kind`` (AND or OR), parentheses removed, in written order.
    Iterative: generated SQL chains thousands of ORs."""
    if expression is None:
        return []
    parts: list[exp.Expression] = []
    stack = [expression]
    while stack:
        node = stack.pop()
        node = node.unnest() if isinstance(node, exp.Paren) else node
        if isinstance(node, kind):
            stack.extend((node.expression, node.this))
        else:
            parts.append(node)
    return parts


def conjuncts(expression: exp.Expression | None) -> list[exp.Expression]:
    """The AND-ed parts of a predicate, parentheses removed."""
    return _flatten(expression, exp.And)


def disjuncts(expression: exp.Expression) -> list[exp.Expression]:
    """The OR-ed parts of a predicate, parentheses removed."""
    return _flatten(expression, exp.Or)


def columns_outside_subqueries(expression: exp.Expression) -> Iterator[exp.Column]:
    """Column references of the expression itself, not of subqueries nested in it."""
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Column):
            yield node
            continue
        if node is not expression and isinstance(node, (exp.Query, exp.Subquery)):
            continue
        stack.extend(reversed(list(node.iter_expressions())))  # in the order written


def contains_subquery(expression: exp.Expression) -> bool:
    return any(isinstance(n, (exp.Subquery, exp.Query)) for n in expression.walk() if n is not expression)


def is_star(projection: exp.Expression) -> bool:
    """``*`` or ``t.*`` as a projection."""
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def stored_output(statement: exp.Expression) -> str | None:
    """Where a statement keeps what its query selects instead of returning it to a client:
    ``INSERT``, ``CREATE TABLE AS``, ``CREATE VIEW`` (also materialized), ``SELECT INTO`` or
    ``UNLOAD``; None for a query, and for a statement that selects nothing."""
    if isinstance(statement, exp.Insert) and isinstance(statement.expression, exp.Query):
        return "INSERT"
    if isinstance(statement, exp.Create) and isinstance(statement.expression, exp.Query):
        return f"CREATE {str(statement.args.get('kind') or 'TABLE').upper()} AS"
    if isinstance(statement, exp.Select) and statement.args.get("into") is not None:
        return "SELECT INTO"
    if isinstance(statement, exp.Command) and str(statement.this).upper() == "UNLOAD":
        return "UNLOAD"
    return None


__all__ = ["columns_outside_subqueries", "conjuncts", "contains_subquery", "disjuncts", "is_star",
           "stored_output"]
