"""Q010 filter-not-on-sortkey: a large table is filtered, but never on its leading sort key."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.rules.selectivity import kept_share
from redshift_optimizer.sql.cache import cached_columns
from redshift_optimizer.sql.scans import ScanAnalysis, scan_analysis
from redshift_optimizer.sql.scopes import Source


def _sort_key_joined(ctx: QueryContext, analysis: ScanAnalysis, source: Source, leading: str) -> bool:
    """Whether the leading sort-key column is restricted through a join: an equality with a
    relation that is filtered itself (``ss_sold_date_sk = d_date_sk AND d_year = 2001``), or
    ``IN (SELECT ...)`` on it: the filtered dimension (``d_year = 2001``) gives a narrow key
    range that the scan of the fact table, sorted on that key, skips blocks by, the way AWS's
    star-schema designs intend. A large filtered partner does not count: its keys spread."""
    graph = analysis.graphs.get(id(source.scope))
    if graph is None:
        return False
    for pair, predicates in graph.equi.items():
        if source not in pair:
            continue
        other = next(iter(pair - {source}), None)
        if other is None or not (other in analysis.filter_columns or graph.filters.get(other)
                                 or (other.derived is not None and other in analysis.restricted)):
            continue
        if other.is_base and (other.table is None or ctx.is_large(other.table)):
            continue  # a filtered large table's keys spread over the whole range: no block skipped
        for predicate in predicates:
            for column in cached_columns(ctx, predicate) if isinstance(predicate, exp.Expression) else []:
                origin = ctx.origin(column) if ctx.source_of(column) is source else None
                if origin is not None and origin.name.lower() == leading:
                    return True
    for predicate in graph.filters.get(source, []):
        for node in predicate.find_all(exp.In):
            if node.args.get("query") is not None and isinstance(node.this, exp.Column) \
                    and ctx.source_of(node.this) is source and node.this.name.lower() == leading:
                return True
    return False


_COMPARISONS = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _constant(node: exp.Expression | None) -> bool:
    """A value known before the scan starts: no column and no subquery in it."""
    return node is not None and not any(isinstance(n, (exp.Column, exp.Query)) for n in node.walk())


def _compared_column(node: exp.Expression) -> exp.Column | None:
    """The bare column a predicate compares with constants in a form zone maps serve:
    ``col = / < / > ... constant`` (either side), ``col BETWEEN c1 AND c2``, ``col IN (c, ...)``,
    ``col LIKE 'prefix%'``. None for a wrapped column (``SUBSTRING(c_phone, 1, 2) IN (...)``:
    a block's min and max say nothing of the function's values), a comparison with another
    column or with a subquery's result (``o_totalprice > (SELECT MEDIAN(...))``), IS NULL, ``<>``
    and NOT."""
    if isinstance(node, _COMPARISONS):
        for column, other in ((node.this, node.expression), (node.expression, node.this)):
            if isinstance(column, exp.Column) and _constant(other):
                return column
        return None
    if not isinstance(node.this, exp.Column):
        return None
    if isinstance(node, exp.Between):
        return node.this if _constant(node.args.get("low")) and _constant(node.args.get("high")) else None
    if isinstance(node, exp.In):
        values = node.expressions
        return node.this if values and node.args.get("query") is None and all(map(_constant, values)) else None
    if isinstance(node, (exp.Like, exp.ILike)):
        pattern = node.expression
        prefix = isinstance(pattern, exp.Literal) and pattern.is_string and pattern.this and pattern.this[0] not in "%_"
        return node.this if prefix else None
    return None


#: A filter the data profile says keeps at least this share of the rows would skip few
#: blocks whatever the sort key (``c_acctbal > 0`` keeps nine rows in ten of TPC-H's customers).
_WIDE = 0.5


def _block_skipping(ctx: QueryContext, predicate: exp.Expression, source: Source) -> set[str]:
    """The columns of ``source`` that a predicate compares in a way zone maps could use if the
    column were sorted (see ``_compared_column``), through AND, OR and parentheses; not one
    whose comparison the data profile says keeps most of the rows (``_WIDE``)."""
    found: set[str] = set()
    stack = [predicate]
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.And, exp.Or, exp.Paren)):
            stack.extend(node.iter_expressions())
            continue
        column = _compared_column(node)
        if column is None:
            continue
        origin = ctx.origin(column)
        if ctx.source_of(column) is source or (origin is not None and origin.table is not None
                                                and origin.table is source.table):
            name = (origin.name if origin else column.name).lower()
            share = kept_share(ctx.profile, source.table.table_name, name, node)
            if share is None or share < _WIDE:
                found.add(name)
    return found


def _joins_on(ctx: QueryContext, analysis: ScanAnalysis, source: Source, leading: str) -> bool:
    """Whether the query equi-joins the table on its leading sort-key column (a dimension
    sorted on its key for the join, filtered on its attributes)."""
    graph = analysis.graphs.get(id(source.scope))
    if graph is None:
        return False
    for pair, predicates in graph.equi.items():
        if source not in pair:
            continue
        for predicate in predicates:
            for column in cached_columns(ctx, predicate) if isinstance(predicate, exp.Expression) else []:
                origin = ctx.origin(column) if ctx.source_of(column) is source else None
                if origin is not None and origin.name.lower() == leading:
                    return True
    return False


def check(ctx: QueryContext) -> Iterator[Hit]:
    if ctx.snapshot is None:
        return
    reads = [s for s in ctx.base_reads() if ctx.is_large(s.table) and s.table.sort_keys]
    if not reads:
        return
    analysis = scan_analysis(ctx)
    filtered: dict[str, set[str]] = {}
    first: dict[str, object] = {}
    skipping: dict[str, set[str]] = {}
    for source in reads:
        columns = analysis.filter_columns.get(source)
        if not columns:
            continue
        filtered.setdefault(source.table.table_name, set()).update(columns)
        # The list holds a predicate once per column it filters: each is read once.
        for predicate in {id(p): p for p in analysis.filter_predicates.get(source, [])}.values():
            skipping.setdefault(source.table.table_name, set()).update(
                _block_skipping(ctx, predicate, source) & columns)
        first.setdefault(source.table.table_name, (source, analysis.filter_predicates[source][0]))
    for name, columns in filtered.items():
        source, predicate = first[name]
        leading = source.table.sort_keys[0].lower()
        if leading in columns:
            continue
        if not skipping.get(name):
            continue  # no filter on it that zone maps could use, whatever the sort key
        if any(_sort_key_joined(ctx, analysis, s, leading) for s in reads if s.table.table_name == name):
            continue
        if (source.table.sort_key_type or "").upper() == "INTERLEAVED" and \
                columns & {k.lower() for k in source.table.sort_keys}:
            continue  # every column of an interleaved sort key skips blocks equally
        joined = any(_joins_on(ctx, analysis, s, leading) for s in reads if s.table.table_name == name)
        yield Hit(
            message=(
                f"{name} ({evidence.rows(source.table)}) is filtered on "
                f"{', '.join(sorted(columns))} but never on its leading sort-key column "
                f"{leading}: zone maps can only skip blocks by {leading}, so every block is read"
                + (f"; {leading} is this query's join column, the sort key serves that join "
                   "(a trade-off the workload review, T013, weighs)" if joined else "")
            ),
            severity=Severity.LOW if joined else None,
            evidence=[evidence.fragment(ctx, predicate), *evidence.table(source.table),
                      evidence.column(f"{name}.{leading}", "leading sort key"),
                      *[evidence.column(f"{name}.{c}", "filtered") for c in sorted(columns)]],
            table=name,
            column=leading,
            node=predicate,
        )


RULE = Rule(
    code="Q010",
    name="filter-not-on-sortkey",
    title="Large table filtered, but not on its sort key",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM; LOW when the query joins the table on that sort-key column",
    summary="A large table is filtered, but never on its leading sort-key column.",
    documentation=Documentation(
        what=(
            "A large table with filters in the query, none of them on its leading sort-key column "
            "(on any of its sort-key columns when the sort key is INTERLEAVED). Only comparisons "
            "with constants count as filters: join columns, `IN (SELECT ...)` semi-joins and "
            "`IS NULL` on the NULL-supplying side of an outer join (an anti-join) do not. A "
            "table whose only filters are ones no sort key could serve (a wrapped column such "
            "as `SUBSTRING(c_phone, 1, 2) IN (...)`, a comparison with a subquery's result or "
            "with another column, `<>`, a LIKE with a leading wildcard) is not reported, nor one "
            "whose filters the data profile says keep half of its rows or more (from each "
            "column's minimum, maximum and distinct count: `c_acctbal > 0` keeps nine rows in "
            "ten of TPC-H's customers), since no sort key would skip many blocks for them. A "
            "leading sort key joined to a filtered dimension (`ss_sold_date_sk = d_date_sk AND "
            "d_year = 2001`) or given by `IN (SELECT ...)` counts as restricted."
        ),
        why=(
            "Block skipping works best on the leading column of a compound sort key. A filter on "
            "another column is applied after the blocks are read, so the whole table is scanned."
        ),
        anti_pattern="SELECT SUM(amount) FROM sales WHERE channel = 'web'   -- sort key: sale_date",
        better="SELECT SUM(amount) FROM sales WHERE channel = 'web' AND sale_date >= '2026-05-01'",
    ),
    fix="Filter on the leading sort-key column too, or change the sort key to the dominant filter column (see T013).",
    check=check,
    needs=("snapshot",),
)
