"""Derived views of a statement computed once per query and shared by the rules and the
rewrites that ask for them (:func:`per_query`)."""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Callable, TypeVar

from sqlglot import exp

from redshift_optimizer.sql.trees import columns_outside_subqueries

if TYPE_CHECKING:
    from redshift_optimizer.sql.query import Query

_Derived = TypeVar("_Derived")


def per_query(function: Callable[..., _Derived]) -> Callable[..., _Derived]:
    """Compute ``function(query, *nodes)`` once per query: several rules and rewrites ask for
    the same derived view of a statement (a scope's join graph, the restriction of every
    scan), and each used to rebuild it. ``nodes`` (scopes, expressions) are keyed by identity
    and kept with the result, so an id cannot be reused by another object. The result is
    shared: callers must only read it. ``query`` is a Query or anything that reads as one
    (the rules' context), sharing its cache."""

    @wraps(function)
    def cached(query: "Query", *nodes: object) -> _Derived:
        key = (function, *map(id, nodes))
        derived = query._derived
        known = derived.get(key)
        if known is not None:
            for kept, node in zip(known[0], nodes):
                if kept is not node:
                    break
            else:
                return known[1]
        known = derived[key] = (nodes, function(query, *nodes))
        return known[1]

    return cached


@per_query
def cached_columns(query: "Query", expression: exp.Expression) -> tuple[exp.Column, ...]:
    """``columns_outside_subqueries`` of a node of the query, walked once per query (rules
    that ask for the same predicates' columns many times read this; the node must not change)."""
    return tuple(columns_outside_subqueries(expression))


__all__ = ["cached_columns", "per_query"]
