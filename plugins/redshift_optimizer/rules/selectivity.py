"""The share of a table's rows a predicate keeps, estimated from the data profile (each
column's minimum, maximum and distinct count, as the metadata refresh measured them).

Only what the profile can answer: a bare column compared with constants (``col > 0``,
``col BETWEEN d1 AND d2``, ``col = 'x'``, ``col IN (...)``), values spread evenly between the
column's minimum and maximum, equal values equally frequent. Anything else is unknown (None),
and a rule that needs the share stays as it would be without a profile.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlglot import exp

from redshift_optimizer.models.lake import ColumnProfile, DataProfile

_RANGES = {exp.GT: "above", exp.GTE: "above", exp.LT: "below", exp.LTE: "below"}
_FLIPPED = {"above": "below", "below": "above"}


def _value(text: str | None) -> float | None:
    """A number, or a date / timestamp as its day number; None for anything else."""
    if text is None:
        return None
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1)) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        return None
    if isinstance(moment, datetime):
        return moment.toordinal() + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400
    return float(moment.toordinal())


def _constant(node: exp.Expression | None) -> float | None:
    """The value of a literal, a signed literal, or a cast of one (``DATE '1995-01-01'``)."""
    if isinstance(node, exp.Paren):
        return _constant(node.this)
    if isinstance(node, exp.Neg):
        inner = _constant(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return _value(node.this.this)
    if isinstance(node, exp.Literal):
        return _value(node.this)
    return None


def _span(column: ColumnProfile) -> tuple[float, float] | None:
    low, high = _value(column.min), _value(column.max)
    if low is None or high is None or high <= low:
        return None
    return low, high


def kept_share(profile: DataProfile | None, table: str, column: str, predicate: exp.Expression) -> float | None:
    """The share (0 to 1) of ``table``'s rows that ``predicate``, a comparison of ``column``
    with constants, keeps; None when the profile cannot tell."""
    found = profile.table(table) if profile is not None else None
    stats = found.column(column) if found is not None else None
    if stats is None:
        return None
    kept: float | None = None
    if type(predicate) in _RANGES:
        side = _RANGES[type(predicate)]
        if isinstance(predicate.this, exp.Column):
            bound = _constant(predicate.expression)
        else:
            bound, side = _constant(predicate.this), _FLIPPED[side]
        span = _span(stats)
        if bound is not None and span is not None:
            low, high = span
            kept = (high - bound) / (high - low) if side == "above" else (bound - low) / (high - low)
    elif isinstance(predicate, exp.Between):
        low_bound, high_bound, span = (_constant(predicate.args.get("low")), _constant(predicate.args.get("high")),
                                       _span(stats))
        if low_bound is not None and high_bound is not None and span is not None:
            kept = (min(high_bound, span[1]) - max(low_bound, span[0])) / (span[1] - span[0])
    elif isinstance(predicate, (exp.EQ, exp.In)) and stats.distinct_estimate:
        values = 1 if isinstance(predicate, exp.EQ) else len(predicate.expressions)
        kept = values / stats.distinct_estimate
    if kept is None:
        return None
    return min(1.0, max(0.0, kept))


__all__ = ["kept_share"]
