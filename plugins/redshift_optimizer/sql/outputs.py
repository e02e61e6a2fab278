"""What a CTE or derived table projects, in order, with the columns its stars bring in
(listed from the snapshot or the inner relations' own outputs), and the relations and base
tables behind a star projection."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.scopes import Scopes, Source, first_branch
from redshift_optimizer.sql.trees import is_star

STAR = "*"


class OutputColumns(Scopes):
    """The output columns of the scopes of a statement (the second layer of ``Query``)."""

    def __init__(self, statement: exp.Expression, snapshot: SchemaSnapshot | None = None):
        super().__init__(statement, snapshot)
        self._output_cache: dict[int, list] = {}

    def output_names(self, scope: Scope) -> list[str]:
        """Names a CTE or derived table projects (``*`` where it projects a star whose
        columns cannot be listed)."""
        return [column[0] for column in self.output_columns(scope)]

    def output_columns(self, scope: Scope, depth: int = 0) -> list[tuple[str, exp.Expression | None, str, str]]:
        """What a CTE or derived table projects, in order: ``(name, projection, "", "")`` for a
        projection, ``(name, None, inner name, star qualifier)`` for each column a star brings
        in when the snapshot or the inner names list them, ``(STAR, projection, "", "")`` for a
        star that cannot be listed. A column list on the alias (``t(a, b)``) renames them."""
        cached = self._output_cache.get(id(scope))
        if cached is not None:
            return cached
        branch = first_branch(scope)
        expression = branch.expression
        if not isinstance(expression, exp.Select):
            return []
        columns: list[tuple[str, exp.Expression | None, str, str]] = []
        for projection in expression.expressions:
            if not is_star(projection):
                columns.append((projection.alias_or_name.lower(), projection, "", ""))
                continue
            expanded = self._star_columns(branch, projection, depth) if depth < 20 else None
            if expanded is None:
                columns.append((STAR, projection, "", ""))
            else:
                columns.extend((name, None, name, qualifier) for name, qualifier in expanded)
        parent = scope.expression.parent
        alias = parent.args.get("alias") if parent is not None else None
        renamed = [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        names = [c[0] for c in columns]
        if renamed and STAR not in names[: len(renamed)]:
            columns = [
                (new, *rest) for new, (_, *rest) in zip(renamed, columns)
            ] + columns[len(renamed):]
        self._output_cache[id(scope)] = columns
        return columns

    def _star_columns(self, scope: Scope, star: exp.Expression, depth: int) -> list[tuple[str, str]] | None:
        """(column, relation alias) for every column a star expands to, in order; None
        when a relation's columns are unknown."""
        sources = self.sources(scope)
        if isinstance(star, exp.Column) and star.table:
            source = sources.get(star.table.lower())
            targets = [source] if source else []
        else:
            targets = [s for s, _ in self.joined_sources(scope)]
        if not targets:
            return None
        found: list[tuple[str, str]] = []
        for source in targets:
            if source.is_base and source.table and source.table.columns:
                found += [(c.name.lower(), source.alias) for c in source.table.columns]
            elif source.derived is not None:
                names = [c[0] for c in self.output_columns(source.derived, depth + 1)]
                if not names or STAR in names:
                    return None
                found += [(name, source.alias) for name in names]
            else:
                return None
        return found


def output_scopes(scope: Scope) -> list[Scope]:
    """The SELECTs whose rows are the scope's output (each branch of a set operation)."""
    if scope.set_operation_scopes:
        return [s for branch in scope.set_operation_scopes for s in output_scopes(branch)]
    return [scope] if isinstance(scope.expression, exp.Select) else []


def star_targets(query: Scopes, scope: Scope, star: exp.Expression) -> list[Source]:
    """The relations a star projection expands over."""
    sources = query.sources(scope)
    if isinstance(star, exp.Column) and star.table:
        source = sources.get(star.table.lower())
        return [source] if source else []
    return [s for s, _ in query.joined_sources(scope) if s.kind != "other"]


def base_tables_behind(query: Scopes, source: Source, depth: int = 0) -> Iterator[Source]:
    """Base tables whose every column reaches the output through stars."""
    if source.is_base:
        yield source
        return
    if source.derived is None or depth > 20:
        return
    for branch in output_scopes(source.derived):
        for projection in branch.expression.expressions:
            if is_star(projection):
                for target in star_targets(query, branch, projection):
                    yield from base_tables_behind(query, target, depth + 1)


__all__ = ["STAR", "OutputColumns", "base_tables_behind", "output_scopes", "star_targets"]
