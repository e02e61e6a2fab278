"""Rewrites that pay, and how far each was verified.

The pipeline applies the transformations below in order, each only where the analysis
reported the finding it answers; a transformation that changes nothing Redshift's plan would
see (comma joins written as JOIN, ``*`` expanded at the top level) is not offered at all.
Each step is checked on its own and dropped, the others kept, when it fails a rung:

- it parses as Redshift SQL (``parsed``) and, with a snapshot, keeps the output signature
  (``signature``);
- with a proof engine (the local PostgreSQL), it returns the rows of the query before it on
  generated adversarial data (``adversarial``, :mod:`redshift_optimizer.proof`);
- with a warehouse, its EXPLAIN cost is not above the query's before it, unless its gain is
  one the plan cannot see (zone maps), which the recorded cost then says
  (:mod:`redshift_optimizer.plan_cost`).

The whole rewrite is then EXPLAINed and run against the original on the warehouse
(``explained`` / ``equivalent``, :mod:`redshift_optimizer.verify`), with the measured times.
Suggestions that change results (APPROXIMATE COUNT) are findings only, never rewrites.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlglot import exp

from redshift_optimizer.models.findings import AnalysisResult, Rewrite, Verification
from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.rewrite.anti_joins import not_in_to_not_exists
from redshift_optimizer.rewrite.decorrelate import decorrelate_scalar_subqueries
from redshift_optimizer.rewrite.or_joins import or_join_to_union_all
from redshift_optimizer.rewrite.signature import Signature, signature
from redshift_optimizer.rewrite.single_pass import single_pass
from redshift_optimizer.rewrite.sort_key_filters import copy_sort_key_filters
from redshift_optimizer.rewrite.transforms import (
    drop_redundant_distinct,
    drop_subquery_order,
    lend_context,
    sargable_ranges,
)
from redshift_optimizer.rewrite.union_all import disjoint_union_all
from redshift_optimizer.sql.parsing import DIALECT, parse_one
from redshift_optimizer.sql.query import Query as QueryContext

Transform = Callable[[exp.Expression, SchemaSnapshot | None], exp.Expression]

#: (name, finding code it answers, description, transformation)
PIPELINE: list[tuple[str, str | None, str, Transform]] = [
    ("decorrelate-subquery", "Q012", "correlated scalar subquery joined as a grouped derived table",
     decorrelate_scalar_subqueries),
    ("not-in-to-not-exists", "Q005", "NOT IN over NOT NULL columns written as NOT EXISTS (an anti-join)",
     not_in_to_not_exists),
    ("or-join-to-union-all", "Q015", "OR in the join condition split into a UNION ALL of equi-joins",
     or_join_to_union_all),
    ("disjoint-union-all", "Q006", "UNION of disjoint, duplicate-free branches written as UNION ALL",
     disjoint_union_all),
    ("single-pass", "Q018", "reads of one table that differ only in filters merged into one pass",
     single_pass),
    ("sargable-range", "Q003", "function-wrapped sort-key filter written as a range on the bare column",
     sargable_ranges),
    ("sort-key-filter", "Q010", "join filter copied to the other table's leading sort-key column",
     copy_sort_key_filters),
    ("drop-redundant-distinct", "Q014", "DISTINCT removed: the GROUP BY already makes rows unique",
     drop_redundant_distinct),
    ("drop-subquery-order-by", "Q007", "ORDER BY without LIMIT removed from subqueries and CTEs",
     drop_subquery_order),
]

#: Other findings a transformation answers besides its own code.
ALSO_ANSWERS: dict[str, set[str]] = {
    "single-pass": {"Q006"},          # UNION of one table's filtered reads: one DISTINCT pass
    # A large table restricted only through its join (no finding of its own) whose rows a
    # non-collocated join then moves: the copied filter cuts them before the scan.
    "sort-key-filter": {"Q009", "Q011"},
}


def _answers(name: str, code: str | None, found: set[str] | None) -> bool:
    if found is None:
        return code is not None
    return code is not None and (code in found or bool(ALSO_ANSWERS.get(name, set()) & found))


def rewrite(tree: exp.Expression, snapshot: SchemaSnapshot | None,
            found: set[str] | None = None) -> tuple[exp.Expression, list[Rewrite]]:
    """The tree after every applicable transformation, and what was applied (no checks).
    With ``found`` (finding codes), only the transformations answering one of them."""
    applied: list[Rewrite] = []
    # Names folded to lower case first, as Redshift folds them (and as each transformation's
    # analysis does): a later transformation must not count that folding as its own change.
    current = _folded(tree.copy())
    for name, code, description, transform in PIPELINE:
        if not _answers(name, code, found):
            continue
        try:
            candidate = transform(current, snapshot)
            if candidate is current:
                continue  # a transformation with nothing to change may hand its input back
            candidate = _folded(candidate)
        except Exception:  # noqa: BLE001 - a transformation that cannot cope leaves the tree alone
            continue
        if candidate != current:
            applied.append(Rewrite(name=name, code=code, description=description))
            current = candidate
    return current, applied


def _folded(tree: exp.Expression) -> exp.Expression:
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

    return normalize_identifiers(tree, dialect=DIALECT)


def offer_rewrite(ctx: QueryContext, result: AnalysisResult, warehouse: Any = None, budget: Any = None,
                  proof_engine: Any = None) -> None:
    """Fill ``optimized_query``, ``rewrites``, ``verification`` and ``cost`` of the result with
    the transformations that answer its findings and pass every rung they can reach."""
    from redshift_optimizer import plan_cost
    from redshift_optimizer.proof import prove

    found = {f.code for f in result.findings}
    steps = [step for step in PIPELINE if _answers(step[0], step[1], found)]
    if not steps:
        return  # no finding a transformation answers: nothing to copy, fold or check
    # The original's signature only once a step changes the tree (most queries have none to
    # offer, and qualify + annotate_types is the dearest part of the pipeline).
    before: Signature | None = None
    before_known = ctx.snapshot is None
    if warehouse is None and proof_engine is None:
        # The transformations copy what they change and leave their input alone, so the first
        # ones can read the statement itself, folded already by its context, through the
        # rules' analysis of it (lend_context) instead of a copy analysed again.
        current = ctx.statement
    else:
        current = _folded(ctx.statement.copy())  # the proof and the plan cost get a tree of their own
    applied: list[Rewrite] = []
    notes: list[str] = []
    for name, code, description, transform in steps:
        try:
            with lend_context(ctx):
                candidate = transform(current, ctx.snapshot)
                if candidate is current:
                    continue  # a transformation with nothing to change may hand its input back
                candidate = _folded(candidate)
        except Exception:  # noqa: BLE001 - a transformation that cannot cope leaves the tree alone
            continue
        if candidate == current:
            continue
        try:
            # The candidate is the transformation's own copy, replaced by what its text parses
            # to: written without another copy.
            candidate = parse_one(candidate.sql(dialect=DIALECT, copy=False))
        except Exception as exc:  # noqa: BLE001
            notes.append(f"{name} withdrawn: it does not parse ({exc})")
            continue
        level = Verification.PARSED
        if not before_known:
            before, before_known = signature(ctx.statement, ctx.snapshot), True
        if before is not None:
            after = signature(candidate, ctx.snapshot)
            if after is not None and after != before:
                notes.append(f"{name} withdrawn: output columns differ ({before} vs {after})")
                continue
            if after is not None:
                level = Verification.SIGNATURE
        if proof_engine is not None:
            try:
                proof = prove(current, candidate, proof_engine, ctx.snapshot)
            except Exception as exc:  # noqa: BLE001 - a proof that breaks leaves the step unproved, not the analysis
                notes.append(f"{name}: adversarial proof failed to run ({str(exc).splitlines()[0][:200]})")
                proof = None
        else:
            proof = None
        if proof is not None:
            if proof.refuted:
                notes += [f"{name} withdrawn: {n}" for n in proof.notes]
                continue
            notes += [f"{name}: {n}" for n in proof.notes]
            if proof.proved:
                level = Verification.ADVERSARIAL
        step = Rewrite(name=name, code=code, description=description, verification=level)
        if warehouse is not None:
            step.cost = plan_cost.judge([name], current, candidate, warehouse, ctx.snapshot)
            if plan_cost.dearer(step.cost):
                notes.append(f"{name} not offered: the {step.cost.model} says it costs no less "
                             f"({step.cost.original:g} -> {step.cost.rewrite:g})")
                continue
        applied.append(step)
        current = candidate
    if not applied:
        result.verification_notes += notes
        return
    # Without a warehouse nothing reads the tree after its text: written without a copy.
    text = current.sql(dialect=DIALECT, pretty=True, copy=warehouse is not None)
    level = min((r.verification for r in applied), key=lambda v: v.rank)
    if warehouse is not None:
        from redshift_optimizer.verify import verify

        report = verify(ctx.sql, text, warehouse, budget, snapshot=ctx.snapshot)
        notes += report.notes
        if report.failed:
            result.verification_notes += notes + ["rewrite withdrawn: it failed verification on the warehouse"]
            return
        if level is Verification.ADVERSARIAL and report.level is not Verification.EQUIVALENT:
            level = max(report.level, Verification.SIGNATURE, key=lambda v: v.rank)
        elif report.level.rank > level.rank:
            level = report.level
        ran = report.level is Verification.EQUIVALENT
        result.cost = plan_cost.judge([r.name for r in applied], _folded(ctx.statement.copy()), current,
                                      warehouse, ctx.snapshot,
                                      report.original_seconds if ran else None, report.rewrite_seconds if ran else None)
        if plan_cost.dearer(result.cost):
            result.verification_notes += notes + [
                f"rewrite not offered: the {result.cost.model} says it costs no less than the original"]
            result.cost = None
            return
    result.optimized_query = text
    result.rewrites = applied
    result.verification = level
    result.verification_notes += notes


__all__ = ["PIPELINE", "offer_rewrite", "rewrite"]
