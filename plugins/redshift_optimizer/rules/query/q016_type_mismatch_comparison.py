"""Q016 type-mismatch-comparison: a column compared with a value or column of another type family."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query.q003_non_sargable_sortkey_predicate import COMPARISONS
from redshift_optimizer.rules.query_context import QueryContext

_FAMILIES = (
    ("number", re.compile(r"^(SMALLINT|INT\d?|INTEGER|BIGINT|DECIMAL|NUMERIC|REAL|FLOAT\d?|DOUBLE( PRECISION)?)\b")),
    ("string", re.compile(r"^(VARCHAR|CHAR|CHARACTER( VARYING)?|NCHAR|NVARCHAR|TEXT|BPCHAR|STRING)\b")),
    ("datetime", re.compile(r"^(DATE|TIMESTAMP|TIMESTAMPTZ|TIME|TIMETZ)\b")),
    ("boolean", re.compile(r"^(BOOL|BOOLEAN)\b")),
)
_SQL_FAMILY = {  # sqlglot data types of casts and typed literals
    **{t: "number" for t in ("TINYINT", "SMALLINT", "INT", "BIGINT", "DECIMAL", "FLOAT", "DOUBLE")},
    **{t: "string" for t in ("VARCHAR", "CHAR", "TEXT", "NCHAR", "NVARCHAR", "BPCHAR")},
    **{t: "datetime" for t in ("DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "DATETIME")},
    "BOOLEAN": "boolean",
}


@lru_cache(maxsize=1024)
def family(type_text: str | None) -> str | None:
    if not type_text:
        return None
    text = type_text.upper().strip()
    return next((name for name, pattern in _FAMILIES if pattern.match(text)), None)


Operand = tuple[str, Callable[[], str], bool, str]


def _operand(ctx: QueryContext, node: exp.Expression) -> Operand | None:
    """(family, description, is_column, literal text) of a comparison operand, when knowable.
    The description is a function: it is only written for the few comparisons that mismatch."""
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.Column):
        origin = ctx.origin(node)
        if origin is None or origin.column is None:
            return None
        found = family(origin.column.type)
        return (found, lambda: f"{origin.qualified} ({origin.column.type})", True, "") if found else None
    if isinstance(node, exp.Literal):
        return ("string", lambda: f"string {node.sql(dialect='redshift')}", False, node.this) if node.is_string else \
            ("number", lambda: f"number {node.this}", False, node.this)
    if isinstance(node, exp.Boolean):
        return ("boolean", lambda: f"boolean {node.sql(dialect='redshift')}", False, "")
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return ("number", lambda: f"number -{node.this.this}", False, "")
    if isinstance(node, exp.Cast) and node.to is not None:
        found = _SQL_FAMILY.get(node.to.this.name if hasattr(node.to.this, "name") else str(node.to.this))
        return (found, lambda: f"{node.to.sql(dialect='redshift')} value", False, "") if found else None
    return None


def _bare(node: exp.Expression) -> exp.Expression:
    return node.unnest() if isinstance(node, exp.Paren) else node


def _mismatch(a: Operand, b: Operand) -> bool:
    if a[0] == b[0]:
        return False
    if not (a[2] or b[2]):
        return False  # two constants: nothing about the table
    if not (a[2] and b[2]):
        column, value = (a, b) if a[2] else (b, a)
        # A date written as a string is how Redshift date literals look: fine. A string that
        # cannot be a date or time ('abc') is a string compared with a date.
        if column[0] == "datetime" and value[0] == "string" and value[1]().startswith("string"):
            return not _may_be_datetime(value[3])
        # 'true' / 'f' / '1' are boolean literals written as strings.
        if column[0] == "boolean" and value[0] == "string" and value[1]().startswith("string"):
            return value[3].strip().lower() not in _BOOLEAN_TEXT
    return True


_BOOLEAN_TEXT = {"t", "f", "true", "false", "y", "n", "yes", "no", "1", "0", "on", "off"}
_DATETIME_WORDS = {"now", "today", "tomorrow", "yesterday", "epoch", "infinity", "-infinity", "allballs"}


def _may_be_datetime(text: str) -> bool:
    """Whether a string constant can be read as a date, time or timestamp: it has digits
    (any of Redshift's date formats) or is one of the special values."""
    text = text.strip().lower()
    return any(ch.isdigit() for ch in text) or text in _DATETIME_WORDS


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    for node in ctx.find_all(*COMPARISONS):
        if isinstance(node, (exp.Like, exp.ILike)):
            continue
        left = _operand(ctx, node.this)
        if left is None:
            continue
        if isinstance(node, exp.Between):
            rights = [node.args.get("low"), node.args.get("high")]
        elif isinstance(node, exp.In):
            rights = [] if node.args.get("query") is not None else list(node.expressions)
        else:
            rights = [node.expression]
        for right_node in rights:
            right = _operand(ctx, right_node) if right_node is not None else None
            if right is None or not _mismatch(left, right):
                continue
            origins = [ctx.origin(n) for n in (node.this, right_node) if isinstance(_bare(n), exp.Column)]
            origins = [o for o in origins if o is not None and o.column is not None and o.table is not None]
            left_text, right_text = left[1](), right[1]()
            facts = [evidence.fragment(ctx, node), evidence.metric("left", left_text),
                     evidence.metric("right", right_text)]
            for origin in origins:
                facts += [evidence.column(origin.qualified, origin.column.type), *evidence.table(origin.table)]
            yield Hit(
                message=(
                    f"{ctx.fragment(node)} compares {left_text} with {right_text}: Redshift casts one "
                    "side per row, which can hide the column from zone maps and distribution"
                    + (" and gives surprising matches" if "string" in (left[0], right[0]) else "")
                ),
                evidence=facts,
                table=origins[0].table.table_name if origins else None,
                column=origins[0].column.name if origins else None,
                node=node,
            )
            break


RULE = Rule(
    code="Q016",
    name="type-mismatch-comparison",
    title="Comparison across type families",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="A column compared with a value or column of another type family.",
    documentation=Documentation(
        what=(
            "A comparison or join between a column and a value or column of another type family: "
            "number vs string, date vs string column, date vs number, boolean vs anything else. A "
            "date column compared with a string literal is Redshift's normal date literal and is "
            "not reported, unless the string cannot be a date ('abc')."
        ),
        why=(
            "An implicit cast is applied to every row; on the column side it defeats zone maps, "
            "and on join keys it forces redistribution because hash values differ by type."
        ),
        anti_pattern="SELECT * FROM orders WHERE order_id = '1042'   -- order_id BIGINT",
        better="SELECT * FROM orders WHERE order_id = 1042",
    ),
    fix="Compare like with like (write the literal in the column's type); align column types of join keys.",
    check=check,
    needs=("snapshot",),
)
