"""What a rewrite saves by the warehouse's own plan: EXPLAIN's estimated total cost of the
original and of the rewrite, and the time each took where both were run.

Some rewrites buy what no EXPLAIN cost shows: a range on the leading sort key lets Redshift
skip blocks by their zone maps, which neither Redshift's plan cost (estimated from rows and
widths) nor the local PostgreSQL stand-in (no zone maps at all) counts. For those, the cost
is recorded as judged by the zone-map rule, with no gain claimed from the plan.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from sqlglot import exp

from redshift_optimizer.models.findings import PlanCost
from redshift_optimizer.models.lake import SchemaSnapshot

_COST = re.compile(r"cost=(?P<start>[0-9.]+)\.\.(?P<total>[0-9.]+)")

#: Rewrites whose gain on Redshift the plans cannot see, and what judges them instead.
PLAN_BLIND = {
    "sargable-range": "zone maps: a range on the bare sort-key column lets Redshift skip blocks; "
                      "the plan's cost does not count skipped blocks",
    "sort-key-filter": "zone maps: the copied filter restricts the other table's leading sort-key column, "
                       "so its scan skips blocks before the join; the plan's cost does not count skipped blocks",
}
ZONE_MAP_MODEL = "redshift zone maps (rule)"


def explain_cost(warehouse: Any, tree: exp.Expression, snapshot: SchemaSnapshot | None) -> float | None:
    """The plan's estimated total cost of a Redshift query tree on ``warehouse``."""
    from redshift_optimizer.verify import engine_sql

    engine = getattr(warehouse, "engine", "redshift")
    sql = engine_sql(tree, engine, snapshot)
    rows = warehouse.query(f"EXPLAIN {sql}")
    for row in rows[:1]:
        match = _COST.search(str(next(iter(row.values()), "")))
        if match:
            return float(match.group("total"))
    return None


def judge(names: Iterable[str], original: exp.Expression, rewrite: exp.Expression, warehouse: Any,
          snapshot: SchemaSnapshot | None, original_seconds: float | None = None,
          rewrite_seconds: float | None = None) -> PlanCost:
    """The cost of the rewrite against the original, by the cost model that can see its gain."""
    engine = getattr(warehouse, "engine", "redshift")
    try:
        before, after = explain_cost(warehouse, original, snapshot), explain_cost(warehouse, rewrite, snapshot)
    except Exception as exc:  # noqa: BLE001 - a plan the engine refuses, a gap transpilation cannot close
        return PlanCost(model=f"{engine} plan", note=f"no plan cost: {str(exc).splitlines()[0][:200]}")
    blind = [n for n in names if n in PLAN_BLIND]
    times = {
        "original_ms": round(original_seconds * 1000, 1) if original_seconds is not None else None,
        "rewrite_ms": round(rewrite_seconds * 1000, 1) if rewrite_seconds is not None else None,
    }
    if blind:
        return PlanCost(model=ZONE_MAP_MODEL, original=before, rewrite=after, **times,
                        note=f"judged by {PLAN_BLIND[blind[0]]}; the {engine} plan costs are recorded only")
    gain = round(100.0 * (before - after) / before, 1) if before and after is not None else None
    return PlanCost(model=f"{engine} plan", original=before, rewrite=after, gain_pct=gain, **times)


def dearer(cost: PlanCost) -> bool:
    """The plan that can see the rewrite's gain says it costs at least as much as the original."""
    if cost.model == ZONE_MAP_MODEL or cost.original is None or cost.rewrite is None:
        return False
    return cost.rewrite >= cost.original


__all__ = ["PLAN_BLIND", "ZONE_MAP_MODEL", "dearer", "explain_cost", "judge"]
