"""The predicates of a SELECT scope: its WHERE conjuncts and its JOIN ... ON conjuncts."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.sql.trees import conjuncts


class Predicates:
    """The predicates of the scopes of a statement (read from the scope alone)."""

    def where_conjuncts(self, scope: Scope) -> list[exp.Expression]:
        where = scope.expression.args.get("where") if isinstance(scope.expression, exp.Select) else None
        return conjuncts(where.this) if where is not None else []

    def join_conjuncts(self, scope: Scope) -> list[tuple[exp.Join, exp.Expression]]:
        select = scope.expression
        if not isinstance(select, exp.Select):
            return []
        return [
            (join, part)
            for join in select.args.get("joins") or []
            if join.args.get("on") is not None
            for part in conjuncts(join.args["on"])
        ]

    def filter_predicates(self, scope: Scope) -> list[exp.Expression]:
        """WHERE conjuncts and JOIN ... ON conjuncts of a SELECT scope."""
        return self.where_conjuncts(scope) + [p for _, p in self.join_conjuncts(scope)]


__all__ = ["Predicates"]
