"""Positions in the text a statement was parsed from: where a node starts and ends, its
line and column, and its fragment as the user wrote it.

sqlglot keeps offsets on tokens (identifiers, literals), not on the keywords and
parentheses around them; :class:`SourceText` recovers the rest from the text (a clause's
keyword, a function's name, a cast, the parentheses of a tuple). A :class:`Position` is the
one object for all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from redshift_optimizer.sql import DIALECT

_KEYWORDS = {
    "where", "and", "or", "on", "select", "in", "not", "exists", "from", "join", "when", "then",
    "else", "case", "between", "as", "by", "having", "with", "values", "using", "union", "all",
    "is", "like", "ilike", "over", "partition", "qualify", "limit", "top", "distinct",
}
_FUNCTION_OPEN = re.compile(r"\b([A-Za-z_][\w]*)\s*\([^()]*$")
_CLAUSE_KEYWORD = {
    exp.Order: r"order\s+by", exp.Group: r"group\s+by", exp.Limit: r"(?:limit|top)",
    exp.Offset: r"offset", exp.Having: r"having", exp.Where: r"where", exp.Fetch: r"fetch",
    exp.Not: r"not",
    exp.Join: r"(?:natural\s+|cross\s+|inner\s+|(?:left|right|full)(?:\s+outer)?\s+)?join",
}
_TRAILING_NAME = re.compile(r"\b([A-Za-z_]\w*)$")
_OPEN_PAREN = re.compile(r"\s*\(")
_POSTFIX_CAST = re.compile(r"\s*::\s*[A-Za-z_][\w ]*?(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?=[^\w]|$)")


def line_col(sql: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = sql.count("\n", 0, offset) + 1
    return line, offset - (sql.rfind("\n", 0, offset) + 1) + 1


def first_offset(node: exp.Expression) -> int | None:
    """The smallest original-text offset recorded in the subtree (tokens keep offsets)."""
    best = None
    for child in node.walk():
        start = (child.meta or {}).get("start") if hasattr(child, "meta") else None
        if start is not None and (best is None or start < best):
            best = start
    return best


@dataclass(frozen=True)
class Position:
    """Where a node is in the original text: offsets (end exclusive), 1-based line and
    column of its start, and its text as written (whitespace folded)."""

    start: int
    end: int
    line: int
    column: int
    fragment: str


class SourceText:
    """The original text of a statement, and where its nodes are in it. An empty text (a
    tree built or transformed in code) has no positions: fragments are regenerated. The
    tree of a text is read, not changed: a node's span is found once (a finding asks for
    its node's position, fragment and evidence)."""

    __slots__ = ("sql", "_spans")

    def __init__(self, sql: str):
        self.sql = sql
        self._spans: dict[int, tuple[exp.Expression, tuple[int, int] | None]] = {}

    def locate(self, node: exp.Expression) -> Position | None:
        """The node's position, or None when the tree keeps no offsets for it."""
        span = self.span(node)
        if span is None:
            return None
        line, column = line_col(self.sql, span[0])
        return Position(span[0], span[1], line, column, _folded(self.sql[span[0]:span[1]]))

    def span(self, node: exp.Expression) -> tuple[int, int] | None:
        """Start and end offsets of the node in the original text (best effort)."""
        if not self.sql:
            return self._span(node)
        known = self._spans.get(id(node))
        if known is None or known[0] is not node:  # kept with the node: its id is not reused
            known = self._spans[id(node)] = (node, self._span(node))
        return known[1]

    def _span(self, node: exp.Expression) -> tuple[int, int] | None:
        starts, ends, first = [], [], None
        for child in node.walk():
            meta = child.meta if hasattr(child, "_meta") and child._meta else None
            if meta and "start" in meta:
                starts.append(meta["start"])
                ends.append(meta["end"])
                if first is None or meta["start"] < first[0]:
                    first = (meta["start"], child)
        if not starts or first is None:
            return None
        start, end = min(starts), max(ends) + 1
        sql = self.sql
        keyword = _CLAUSE_KEYWORD.get(type(node))
        if keyword:  # clause nodes keep no offset of their own keyword
            match = re.search(rf"\b{keyword}\s*(?:\(\s*)?$", sql[max(start - 40, 0):start], re.I)
            if match:
                start = max(start - 40, 0) + match.start()
        # Function calls whose name precedes their first token ("DATE_TRUNC('month', d)").
        levels = 0
        walker = first[1].parent
        while walker is not None and walker is not node.parent:
            if isinstance(walker, exp.Func) and not isinstance(walker, exp.Column):
                if isinstance(walker, exp.Cast) and _POSTFIX_CAST.match(sql, end) and not re.search(
                    r"\bcast\s*\([^()]*$", sql[:start], re.I
                ):
                    pass
                else:
                    levels += 1
            walker = walker.parent
        for _ in range(levels):
            match = _FUNCTION_OPEN.search(sql, max(start - 80, 0), start)
            if not match or match.group(1).lower() in _KEYWORDS:
                break
            start = match.start()
        if isinstance(node, (exp.Subquery, exp.Select)):  # its SELECT keyword keeps no offset
            keyword = None
            for keyword in re.finditer(r"\bselect\b", sql[max(start - 2000, 0):start], re.I):
                pass
            if keyword is not None:
                begin = max(start - 2000, 0) + keyword.start()
                between = sql[begin:start]
                if between.count(")") <= between.count("("):
                    opening = re.search(r"\(\s*$", sql[max(begin - 20, 0):begin]) \
                        if isinstance(node, exp.Subquery) else None
                    start = max(begin - 20, 0) + opening.start() if opening else begin
        unopened = _unopened(sql, start, end)  # "a, b) = (c, d": the tuple's parentheses
        while unopened > 0:
            opening = sql.rfind("(", 0, start)
            if opening < 0:
                break
            start, unopened = opening, unopened - 1
        while sql.count("(", start, end) > sql.count(")", start, end):
            close = sql.find(")", end)
            if close < 0:
                break
            end = close + 1
        # A right-hand side that keeps no offsets at all ("= TRUE", "IS NULL", "= CURRENT_DATE").
        right = node.args.get("expression") if isinstance(node, (exp.Binary, exp.Predicate)) else None
        if isinstance(right, exp.Expression) and not any(
            (n.meta if hasattr(n, "_meta") and n._meta else {}).get("start") is not None for n in right.walk()
        ):
            text = re.escape(right.sql(dialect=DIALECT))
            match = re.compile(
                rf"\s*(?:[=<>!]+|\bis(?:\s+not)?\b|\b(?:not\s+)?i?like\b)?\s*{text}(?!\w)", re.I
            ).match(sql, end)
            if match:
                end = match.end()
        # A trailing call whose arguments keep no offsets ("= DATE_TRUNC('month', CURRENT_DATE)"):
        # the name is the last token recorded, its parentheses follow it.
        name = _TRAILING_NAME.search(sql, max(start, end - 80), end)
        if name and name.group(1).lower() not in _KEYWORDS:
            opening = _OPEN_PAREN.match(sql, end)
            close = _closing_paren(sql, opening.end() - 1) if opening else None
            if close is not None:
                end = close + 1
        if any(isinstance(n, exp.Cast) for n in node.walk()):
            match = _POSTFIX_CAST.match(sql, end)
            if match:
                end = match.end()
        if sql[end:end + 1] == "'" and sql[start:end].count("'") % 2 == 1:
            end += 1
        return start, end

    def position(self, node: exp.Expression | None) -> tuple[int | None, int | None]:
        """1-based line and column where the node starts in the original text."""
        span = self.span(node) if node is not None else None
        if span is None:
            return None, None
        return line_col(self.sql, span[0])

    def fragment(self, node: exp.Expression, limit: int = 200) -> str:
        """The node's text as the user wrote it (regenerated only when positions are lost)."""
        span = self.span(node)
        return _folded(self.sql[span[0]:span[1]] if span else node.sql(dialect=DIALECT), limit)


def _folded(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _paren_depths(sql: str, start: int, end: int):
    """(offset, depth after it) of every parenthesis of ``sql[start:end]`` outside quotes,
    the depth counted from 0 at ``start``."""
    depth, quote = 0, ""
    for index in range(start, min(end, len(sql))):
        char = sql[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "()":
            depth += 1 if char == "(" else -1
            yield index, depth


def _unopened(sql: str, start: int, end: int) -> int:
    """How many ``)`` of the text close a parenthesis opened before it (quotes respected)."""
    return -min([0, *(depth for _, depth in _paren_depths(sql, start, end))])


def _closing_paren(sql: str, opening: int) -> int | None:
    """Offset of the parenthesis closing the one at ``opening`` (quotes respected)."""
    return next((index for index, depth in _paren_depths(sql, opening, len(sql)) if depth == 0), None)


__all__ = ["Position", "SourceText", "first_offset", "line_col"]
