"""Q004 leading-wildcard-like: LIKE/ILIKE '%...' (or SIMILAR TO / regex) on a large table's column."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.trees import columns_outside_subqueries

_REGEX = (exp.RegexpLike, exp.RegexpILike, exp.SimilarTo)
# Regex functions that act as a match when a filter tests their result
# (REGEXP_INSTR(url, 'x') > 0, REGEXP_COUNT(...) > 0, REGEXP_SUBSTR(...) IS NOT NULL).
_REGEX_FUNCTIONS = tuple(getattr(exp, n) for n in ("RegexpInstr", "RegexpCount", "RegexpExtract") if hasattr(exp, n))


def _leading_literal(pattern: exp.Expression) -> exp.Literal | None:
    pattern = pattern.unnest() if isinstance(pattern, exp.Paren) else pattern
    while isinstance(pattern, (exp.DPipe, exp.Concat)):
        pattern = pattern.this if isinstance(pattern, exp.DPipe) else (pattern.expressions or [None])[0]
    return pattern if isinstance(pattern, exp.Literal) and pattern.is_string else None


def _patterns(pattern: exp.Expression) -> list[exp.Expression]:
    """The patterns of ``LIKE p``, ``LIKE ANY ('p1', 'p2')`` and ``LIKE ALL (...)``."""
    if isinstance(pattern, (exp.Any, exp.All)):
        inner = pattern.this
        inner = inner.unnest() if isinstance(inner, exp.Paren) else inner
        return list(inner.expressions) if isinstance(inner, exp.Tuple) else [inner]
    return [pattern]


def _unanchored(node: exp.Expression) -> bool:
    if isinstance(node, exp.Escape):
        return False
    for pattern in _patterns(node.expression):
        literal = _leading_literal(pattern)
        if literal is None:
            continue
        if isinstance(node, (exp.Like, exp.ILike, exp.SimilarTo)):
            if literal.this.startswith(("%", "_")):
                return True
        elif not literal.this.startswith("^"):  # regex: only a pattern anchored with ^ can use a prefix
            return True
    return False


def _unanchored_regex(pattern: exp.Expression | None) -> bool:
    literal = _leading_literal(pattern) if pattern is not None else None
    return literal is not None and not literal.this.startswith("^")


def _in_filter(node: exp.Expression) -> bool:
    """Inside a WHERE, a JOIN condition or a HAVING, not in the select list."""
    parent = node.parent
    while parent is not None and not isinstance(parent, (exp.Query, exp.Subquery)):
        if isinstance(parent, (exp.Where, exp.Having)) or (
            isinstance(parent.parent, exp.Join) and parent.arg_key == "on"
        ):
            return True
        parent = parent.parent
    return False


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    for node in ctx.find_all(exp.Like, exp.ILike, *_REGEX, *_REGEX_FUNCTIONS):
        target = node.this.this if isinstance(node.this, exp.Escape) else node.this
        if isinstance(node, _REGEX_FUNCTIONS):
            if not _in_filter(node) or not _unanchored_regex(node.expression):
                continue
        elif not _unanchored(node):
            continue
        columns = list(columns_outside_subqueries(target))
        origins = [ctx.origin(c) for c in columns]
        large = [o for o in origins if o and ctx.is_large(o.table)]
        if not large:
            continue
        origin = large[0]
        yield Hit(
            message=(
                f"{ctx.fragment(node)} cannot use a prefix of {origin.qualified}: every value of "
                f"the column on {evidence.rows(origin.table)} is read and matched"
            ),
            evidence=[evidence.fragment(ctx, node), evidence.column(origin.qualified),
                      *evidence.table(origin.table)],
            table=origin.table.table_name,
            column=origin.column.name if origin.column else origin.name,
            node=node,
        )


RULE = Rule(
    code="Q004",
    name="leading-wildcard-like",
    title="Pattern match with a leading wildcard on a large table",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="LIKE/ILIKE pattern starting with %, or SIMILAR TO / regex, on a large table's column.",
    documentation=Documentation(
        what=(
            "A LIKE or ILIKE (also LIKE ANY / ALL) whose pattern starts with `%` or `_`, or an "
            "unanchored SIMILAR TO, `~` regex or REGEXP_INSTR / REGEXP_COUNT / REGEXP_SUBSTR "
            "filter, on a column of a large table."
        ),
        why=(
            "A pattern with a fixed prefix lets zone maps skip blocks on a sorted column; a leading "
            "wildcard makes Redshift decompress and match every value of the column."
        ),
        anti_pattern="SELECT id FROM events WHERE url LIKE '%/checkout%'",
        better="SELECT id FROM events WHERE url_path_prefix = '/checkout' -- a pre-computed search column",
    ),
    fix="Anchor the pattern (a fixed prefix), or pre-compute a search column at load time.",
    check=check,
    needs=("snapshot",),
)
