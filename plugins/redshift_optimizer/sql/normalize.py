"""Normalization: tree-to-tree passes that turn a parsed statement into the query the
rules judge and the rewrites transform.

- ``fold_identifiers``: Redshift folds identifiers to lower case (quoted ones too, unless
  enable_case_sensitive_identifier is on): ``WITH Recent ... FROM RECENT`` is one CTE;
- ``dml_to_query``: UPDATE, DELETE and MERGE as a SELECT over the relations they read and
  the predicates that restrict or join them;
- ``command_body``: the query that UNLOAD, EXPLAIN and PREPARE carry (sqlglot keeps them as
  opaque commands), parsed with offsets in the original text.

Each pass takes the original text and a tree and returns a tree (the one given, folded in
place, or a new one); :func:`normalize` runs them in order.
"""

from __future__ import annotations

import re
from typing import Callable

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from redshift_optimizer.sql import DIALECT
from redshift_optimizer.sql.parsing import parse_one

_UNLOAD_QUERY = re.compile(r"\s*\(\s*'((?:[^']|'')*)'\s*\)", re.S)
_EXPLAIN_OPTIONS = re.compile(r"\s*(?:verbose\s+)?", re.I)
_PREPARE_NAME = re.compile(r"\s*[\w\"]+\s*(?:\([^()]*\))?\s*as\s+", re.I)


def fold_identifiers(sql: str, tree: exp.Expression) -> exp.Expression:
    """Identifiers folded to lower case as Redshift does (in place; as written if sqlglot
    cannot normalize the tree)."""
    try:
        normalize_identifiers(tree, dialect=DIALECT)
    except Exception:  # noqa: BLE001 - names then compare as written
        pass
    return tree


def dml_to_query(sql: str, tree: exp.Expression) -> exp.Expression:
    """UPDATE, DELETE and MERGE as the SELECT the query rules can judge (see dml_as_select)."""
    if isinstance(tree, (exp.Update, exp.Delete, exp.Merge)):
        return dml_as_select(tree) or tree
    return tree


def command_body(sql: str, tree: exp.Expression) -> exp.Expression:
    """The query of an UNLOAD, EXPLAIN or PREPARE command, identifiers folded."""
    if isinstance(tree, exp.Command):
        inner = embedded_query(sql, tree)
        if inner is not None:
            normalize_identifiers(inner, dialect=DIALECT)
            return inner
    return tree


Pass = Callable[[str, exp.Expression], exp.Expression]
PASSES: tuple[Pass, ...] = (fold_identifiers, dml_to_query, command_body)


def normalize(sql: str, tree: exp.Expression) -> exp.Expression:
    """The statement as the rules read it: every pass of PASSES in order."""
    for step in PASSES:
        tree = step(sql, tree)
    return tree


def embedded_query(sql: str, command: exp.Command) -> exp.Query | None:
    """The query of ``UNLOAD ('SELECT ...')``, ``EXPLAIN [VERBOSE] SELECT ...`` or ``PREPARE
    name (types) AS SELECT ...`` (kept by sqlglot as opaque commands), parsed, with offsets in
    the original text. Placeholders ($1) parse as parameters."""
    keyword = str(command.this or "").upper()
    rest = command.expression.this if isinstance(command.expression, exp.Literal) else None
    if keyword not in ("UNLOAD", "EXPLAIN", "PREPARE") or not rest:
        return None
    start = sql.find(rest, command.meta.get("statement_offset", 0))
    if start < 0:
        return None
    if keyword == "PREPARE":  # PREPARE name [(type, ...)] AS statement
        match = _PREPARE_NAME.match(rest)
        if match is None:
            return None
        inner, base = rest[match.end():], start + match.end()
        positions = list(range(len(inner) + 1))
    elif keyword == "EXPLAIN":
        skip = _EXPLAIN_OPTIONS.match(rest).end()
        inner, base = rest[skip:], start + skip
        positions = list(range(len(inner) + 1))
    else:
        match = _UNLOAD_QUERY.match(rest)
        if match is None:
            return None
        raw, base = match.group(1), start + match.start(1)
        chars, positions, index = [], [], 0
        while index < len(raw):  # '' inside the quoted query is one quote
            chars.append(raw[index])
            positions.append(index)
            index += 2 if raw.startswith("''", index) else 1
        positions.append(len(raw))
        inner = "".join(chars)
    try:
        tree = parse_one(inner)
    except Exception:  # noqa: BLE001 - the command stays opaque
        return None
    if not isinstance(tree, exp.Query):
        return None
    for node in tree.walk():
        meta = node._meta if hasattr(node, "_meta") else None
        if meta and "start" in meta:
            meta["start"] = base + positions[min(meta["start"], len(positions) - 1)]
            meta["end"] = base + positions[min(meta["end"], len(positions) - 1)]
    return tree


def dml_as_select(statement: exp.Expression) -> exp.Select | None:
    """``SELECT ... FROM target, other relations WHERE ...`` for UPDATE, DELETE and MERGE: the
    relations they read and the predicates that restrict or join them, as a SELECT the query
    rules can judge. Nodes are copies that keep their positions in the original text."""
    if isinstance(statement, exp.Merge):
        target, using, on = statement.this, statement.args.get("using"), statement.args.get("on")
        if not isinstance(target, exp.Table) or using is None:
            return None
        select = exp.Select(expressions=[exp.Literal.number(1)])
        select.set("from_", exp.From(this=target.copy()))
        join = exp.Join(this=using.copy())
        if isinstance(on, exp.Expression):
            join.set("on", on.copy())
        select.set("joins", [join])
        return select
    target = statement.this
    if not isinstance(target, exp.Table):
        target = next(iter(statement.args.get("tables") or []), None)
    if not isinstance(target, exp.Table):
        return None
    others: list[exp.Expression] = []
    if isinstance(statement, exp.Update):
        from_ = statement.args.get("from_") or statement.args.get("from")
        if isinstance(from_, exp.From) and from_.this is not None:
            others.append(from_.this)
        values = [e.expression.copy() for e in statement.expressions
                  if isinstance(e, exp.EQ) and e.expression is not None]
    else:
        using = statement.args.get("using")
        others.extend(u for u in (using if isinstance(using, list) else []) if isinstance(u, exp.Expression))
        values = []
    select = exp.Select(expressions=values or [exp.Literal.number(1)])
    select.set("from_", exp.From(this=_without_joins(target.copy())))
    joins: list[exp.Join] = [j.copy() for j in target.args.get("joins") or []]
    for other in others:
        joins.append(exp.Join(this=_without_joins(other.copy())))
        joins.extend(j.copy() for j in other.args.get("joins") or [])
    if joins:
        select.set("joins", joins)
    where = statement.args.get("where")
    if isinstance(where, exp.Where):
        select.set("where", where.copy())
    return select


def _without_joins(table: exp.Expression) -> exp.Expression:
    if table.args.get("joins"):
        table.set("joins", None)
    return table


__all__ = ["PASSES", "command_body", "dml_as_select", "dml_to_query", "embedded_query", "fold_identifiers",
           "normalize"]
