"""Q006 union-distinct: UNION without ALL."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def _chain(node: exp.Union) -> list[exp.Union]:
    """The UNIONs of one set operation (``a UNION b UNION c`` nests left): reported once."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, exp.Union) and current.args.get("distinct"):
            found.append(current)
            stack += [current.this, current.expression]
        elif isinstance(current, exp.Subquery) and isinstance(current.this, exp.Union):
            stack.append(current.this)
    return found


def _distinct_branch(node: exp.Expression) -> bool:
    """A branch that is itself SELECT DISTINCT (or a parenthesised one)."""
    while isinstance(node, exp.Subquery):
        node = node.this
    return isinstance(node, exp.Select) and node.args.get("distinct") is not None


def check(ctx: QueryContext) -> Iterator[Hit]:
    done: set[int] = set()
    for node in ctx.find_all(exp.Union):
        if not node.args.get("distinct") or id(node) in done:
            continue
        chain = _chain(node)
        done.update(id(u) for u in chain)
        if all(_distinct_branch(b) for u in chain for b in (u.this, u.expression)
               if not (isinstance(b, exp.Union) and b.args.get("distinct"))):
            continue  # every branch asks for distinct rows: the de-duplication is the query's meaning
        branches = len(chain) + 1
        yield Hit(
            message=(
                f"UNION without ALL ({branches} branches) sorts or hashes the combined rows of "
                "every branch to remove duplicates; if no branch can return the same row twice and "
                "the branches cannot overlap, or duplicates are acceptable, UNION ALL skips that step"
            ),
            evidence=[evidence.fragment(ctx, node.expression, name="second branch"),
                      evidence.metric("UNION branches", branches)],
            node=node.expression,
        )


RULE = Rule(
    code="Q006",
    name="union-distinct",
    title="UNION removes duplicates",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="UNION without ALL: an extra de-duplication step over all rows.",
    documentation=Documentation(
        what=(
            "A UNION without ALL, reported once per set operation however many branches it has; "
            "not when every branch is itself SELECT DISTINCT (the distinct set is what is asked)."
        ),
        why=(
            "UNION de-duplicates the combined result: all rows of both branches are "
            "redistributed and sorted or hashed. Often the branches are disjoint by "
            "construction and the step only costs."
        ),
        anti_pattern="SELECT id FROM sales_2025 UNION SELECT id FROM sales_2026",
        better="SELECT id FROM sales_2025 UNION ALL SELECT id FROM sales_2026",
    ),
    fix="UNION ALL when duplicates are impossible or acceptable (this changes results otherwise, so it is never rewritten silently).",
    check=check,
)
