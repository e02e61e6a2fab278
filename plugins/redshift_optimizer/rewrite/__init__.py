"""Rewrites that never change results, and how far each was verified.

The pipeline applies the transformations of :mod:`transforms` in order; each is recorded
with the finding code it answers. The result is offered only when it parses as Redshift SQL
and, with a snapshot, keeps the output signature; with a warehouse it must also EXPLAIN and
return the same rows (see :mod:`redshift_optimizer.verify`). Suggestions that change results
(UNION ALL, APPROXIMATE COUNT) are findings only, never rewrites.
"""

from __future__ import annotations

from typing import Any, Callable

import sqlglot
from sqlglot import exp

from redshift_optimizer.models.findings import AnalysisResult, Rewrite, Verification
from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.rewrite.signature import signature
from redshift_optimizer.rewrite.transforms import (
    drop_redundant_distinct,
    drop_subquery_order,
    expand_stars,
    explicit_joins,
    sargable_ranges,
)
from redshift_optimizer.rules.parsing import DIALECT
from redshift_optimizer.rules.query_context import QueryContext

Transform = Callable[[exp.Expression, SchemaSnapshot | None], exp.Expression]

#: (name, finding code it answers or None, description, transformation)
PIPELINE: list[tuple[str, str | None, str, Transform]] = [
    ("expand-star", "Q001", "SELECT * expanded to the snapshot's columns", expand_stars),
    ("explicit-joins", None, "comma joins written as explicit JOIN ... ON", explicit_joins),
    ("sargable-range", "Q003", "function-wrapped sort-key filter written as a range on the bare column", sargable_ranges),
    ("drop-redundant-distinct", "Q014", "DISTINCT removed: the GROUP BY already makes rows unique", drop_redundant_distinct),
    ("drop-subquery-order-by", "Q007", "ORDER BY without LIMIT removed from subqueries and CTEs", drop_subquery_order),
]


def rewrite(tree: exp.Expression, snapshot: SchemaSnapshot | None) -> tuple[exp.Expression, list[Rewrite]]:
    """The tree after every applicable transformation, and what was applied."""
    applied: list[Rewrite] = []
    # Names folded to lower case first, as Redshift folds them (and as each transformation's
    # analysis does): a later transformation must not count that folding as its own change.
    current = _folded(tree.copy())
    for name, code, description, transform in PIPELINE:
        try:
            candidate = _folded(transform(current, snapshot))
        except Exception:  # noqa: BLE001 - a transformation that cannot cope leaves the tree alone
            continue
        if candidate != current:
            applied.append(Rewrite(name=name, code=code, description=description))
            current = candidate
    return current, applied


def _folded(tree: exp.Expression) -> exp.Expression:
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

    return normalize_identifiers(tree, dialect=DIALECT)


def offer_rewrite(ctx: QueryContext, result: AnalysisResult, warehouse: Any = None, budget: Any = None) -> None:
    """Fill ``optimized_query``, ``rewrites`` and ``verification`` of the result, if a
    rewrite exists and passes every level of verification it can reach."""
    new_tree, applied = rewrite(ctx.statement, ctx.snapshot)
    if not applied:
        return
    text = new_tree.sql(dialect=DIALECT, pretty=True)
    try:
        reparsed = sqlglot.parse_one(text, read=DIALECT)
    except Exception as exc:  # noqa: BLE001
        result.verification_notes.append(f"rewrite withdrawn: it does not parse ({exc})")
        return
    level = Verification.PARSED
    notes: list[str] = []
    if ctx.snapshot is not None:
        before, after = signature(ctx.statement, ctx.snapshot), signature(reparsed, ctx.snapshot)
        if before is not None and after is not None:
            if before != after:
                result.verification_notes.append(
                    f"rewrite withdrawn: output columns differ ({before} vs {after})")
                return
            level = Verification.SIGNATURE
        else:
            notes.append("output signature not derivable from the snapshot; rewrite checked by parsing only")
    if warehouse is not None:
        from redshift_optimizer.verify import verify

        report = verify(ctx.sql, text, warehouse, budget, snapshot=ctx.snapshot)
        notes += report.notes
        if report.failed:
            result.verification_notes += notes + ["rewrite withdrawn: it failed verification on the warehouse"]
            return
        if report.level.rank > level.rank:
            level = report.level
    result.optimized_query = text
    result.rewrites = applied
    result.verification = level
    result.verification_notes += notes


__all__ = ["PIPELINE", "offer_rewrite", "rewrite"]
