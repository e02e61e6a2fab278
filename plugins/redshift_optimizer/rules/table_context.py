"""What the table rules (T) and workload rules (C) see: one table of the snapshot with its
profile, and the slow-query window digested into reads, joins and filters per column."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlglot import exp

from redshift_optimizer.models.lake import (
    ColumnSnapshot,
    DataProfile,
    SchemaSnapshot,
    SlowQueries,
    SlowQuery,
    TableProfile,
    TableSnapshot,
)
from redshift_optimizer.models.findings import Evidence
from redshift_optimizer.rules import evidence
from redshift_optimizer.sql.parsing import SqlInputError, parse_statements
from redshift_optimizer.rules.settings import AnalysisSettings
from redshift_optimizer.sql.joins import join_graph, using_columns
from redshift_optimizer.sql.scans import scan_analysis
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.scopes import lookup_table


logger = logging.getLogger(__name__)


def _days(window: SlowQueries) -> float:
    try:
        start = datetime.fromisoformat(window.window_start.replace("Z", "+00:00"))
        end = datetime.fromisoformat(window.window_end.replace("Z", "+00:00"))
    except ValueError:
        return 1.0
    return max((end - start).total_seconds() / 86400.0, 1 / 24)


@dataclass
class WorkloadContext:
    """The slow-query window: each query's statistics, and per table (weighted by
    executions) how often it is read, joined on each column and filtered on each column."""

    snapshot: SchemaSnapshot
    window: SlowQueries
    settings: AnalysisSettings
    days: float = 1.0
    reads: Counter = field(default_factory=Counter)  # table_name -> executions
    #: table -> column -> executions, columns in name order (ties in most_common by name)
    joins: dict[str, Counter] = field(default_factory=dict)
    filters: dict[str, Counter] = field(default_factory=dict)
    joined_tables: set[str] = field(default_factory=set)
    unparsed: list[str] = field(default_factory=list)  # query hashes that did not parse

    @classmethod
    def build(cls, snapshot: SchemaSnapshot, window: SlowQueries, settings: AnalysisSettings) -> "WorkloadContext":
        ctx = cls(snapshot, window, settings, _days(window))
        for query in window.queries:
            try:
                ctx._digest(query)
            except Exception:  # noqa: BLE001 - one odd query must not stop the review
                logger.warning("workload query %s could not be digested", query.query_hash, exc_info=True)
                ctx.unparsed.append(query.query_hash)
        # The columns of a statement are counted from sets, whose order changes from one
        # process to the next, and Counter.most_common keeps insertion order among equal
        # counts: each table's columns are put in name order, so equally used columns read
        # the same (T001, T012, T013 and their evidence) in every run and every window order.
        ctx.joins, ctx.filters = _by_name(ctx.joins), _by_name(ctx.filters)
        return ctx

    def _digest(self, query: SlowQuery) -> None:
        weight = max(query.executions, 1)
        try:
            statements = parse_statements(query.query_text)
        except (SqlInputError, RecursionError):
            self.unparsed.append(query.query_hash)
            for name in self._named_tables(query.query_text):
                self.reads[name] += weight  # C002 must not call a table unused for a parse failure
            return
        for statement in statements:
            qctx = Query(query.query_text, statement, self.snapshot)
            read_here = {s.table.table_name for s in qctx.base_reads() if s.table}
            if isinstance(statement, (exp.Update, exp.Delete, exp.Insert)) and isinstance(statement.this, exp.Table):
                table = lookup_table(self.snapshot, ".".join(p for p in (statement.this.db, statement.this.name) if p))
                if table:
                    read_here.add(table.table_name)
            for name in read_here:
                self.reads[name] += weight
            joined: set[tuple[str, str]] = set()  # (table, column): once per statement
            for scope in qctx.select_scopes():
                graph = join_graph(qctx, scope)
                if len(graph.sources) > 1:
                    self.joined_tables.update(s.table.table_name for s in graph.sources if s.table)
                index = {id(s): i for i, s in enumerate(graph.sources)}
                for pair, predicates in graph.equi.items():
                    for predicate in predicates:
                        if isinstance(predicate, exp.Join):  # USING / NATURAL
                            later = max(pair, key=lambda s: index.get(id(s), 0))
                            for name in using_columns(qctx, graph, index.get(id(later), 0)):
                                for source in pair:
                                    self._note_join(qctx.origin_in(source, name), joined)
                            continue
                        self._count_join(qctx, predicate, joined)
                # A subquery correlated to the outer query by an equality joins the two.
                for source, links in graph.correlated.items():
                    for predicate, outer in links:
                        self._count_join(qctx, predicate, joined)
                        self.joined_tables.update(s.table.table_name for s in (source, *outer) if s.table)
                # x IN (SELECT ...) is a semi-join of the outer relation with the subquery's.
                for predicate in qctx.filter_predicates(scope):
                    node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
                    node = node.this if isinstance(node, exp.Not) else node
                    if isinstance(node, exp.In) and node.args.get("query") is not None:
                        self._note_semi_join(qctx, node, joined)
            for table, column in joined:
                self.joins.setdefault(table, Counter())[column] += weight
            analysis = scan_analysis(qctx)
            counted: set[tuple[str, str]] = set()
            for source, columns in analysis.filter_columns.items():
                if source.table is None:
                    continue
                for column in columns:
                    key = (source.table.table_name, column)
                    if key not in counted:
                        counted.add(key)
                        self.filters.setdefault(key[0], Counter())[column] += weight

    def _count_join(self, qctx: Query, predicate: exp.Expression, joined: set) -> None:
        node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
        if not isinstance(node, (exp.EQ, exp.NullSafeEQ)):
            return
        for side in (node.this, node.expression):
            if isinstance(side, exp.Column):
                self._note_join(qctx.origin(side), joined)

    def _note_semi_join(self, qctx: Query, node: exp.In, joined: set) -> None:
        """``outer.col IN (SELECT inner.col FROM ...)``: both columns are join columns and
        both tables are joined."""
        query = node.args["query"]
        select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            return
        inner = select.expressions[0]
        inner = inner.this if isinstance(inner, exp.Alias) else inner
        sides = [side for side in (node.this, inner) if isinstance(side, exp.Column)]
        origins = [qctx.origin(side) for side in sides]
        for origin in origins:
            self._note_join(origin, joined)
        tables = {o.table.table_name for o in origins if o and o.table}
        if len(sides) == 2 and len(tables) >= 1:
            self.joined_tables.update(tables)

    @staticmethod
    def _note_join(origin, joined: set) -> None:
        if origin and origin.table and origin.column:
            joined.add((origin.table.table_name, origin.column.name.lower()))

    def _named_tables(self, text: str) -> set[str]:
        """Snapshot tables whose name appears in a query text we cannot parse."""
        lowered = text.lower()
        found = set()
        for table in self.snapshot.tables:
            for name in {table.table_name.lower(), table.short_name.lower()}:
                if re.search(rf'(?<![\w$])"?{re.escape(name)}"?(?![\w$])', lowered):
                    found.add(table.table_name)
        return found

    def per_day(self, milliseconds: float) -> float:
        """Seconds per day of a total over the window."""
        return milliseconds / 1000.0 / self.days

    def saving(self, milliseconds: float, priced: bool = True) -> dict[str, float]:
        """What a total over the window comes to per day: seconds, and money at the
        configured price unless ``priced`` is false."""
        seconds = self.per_day(milliseconds)
        saving = {"seconds_per_day": round(seconds, 1)}
        if priced:
            saving["money_per_day"] = round(seconds * self.settings.price_per_second(), 2)
        return saving


def _by_name(counts: dict[str, Counter]) -> dict[str, Counter]:
    """Each table's column counts with the columns in name order."""
    return {table: Counter(dict(sorted(counter.items()))) for table, counter in counts.items()}


def query_facts(query: SlowQuery) -> list[Evidence]:
    """The evidence naming one fingerprint of the window: hash, text, executions."""
    return [evidence.metric("query_hash", query.query_hash),
            Evidence(kind="query", name="fingerprint", value=query.fingerprint[:300]),
            evidence.metric("executions", query.executions)]


@dataclass
class TableContext:
    """One table of the snapshot, its profile, and the workload if given."""

    table: TableSnapshot
    snapshot: SchemaSnapshot
    profile: DataProfile | None
    workload: WorkloadContext | None
    settings: AnalysisSettings

    @property
    def name(self) -> str:
        return self.table.table_name

    @property
    def table_profile(self) -> TableProfile | None:
        return self.profile.table(self.name) if self.profile is not None else None

    @property
    def first_sort_key(self) -> ColumnSnapshot | None:
        if self.table.sort_keys:
            return self.table.column(self.table.sort_keys[0])
        return next((c for c in self.table.columns if c.sort_key_position == 1), None)

    @property
    def dist_key_column(self) -> ColumnSnapshot | None:
        if self.table.dist_key:
            return self.table.column(self.table.dist_key)
        return next((c for c in self.table.columns if c.dist_key), None)

    def is_large(self) -> bool:
        return self.table.row_count is not None and self.table.row_count >= self.settings.large_table_rows

    def is_small(self) -> bool:
        return self.table.row_count is not None and self.table.row_count <= self.settings.small_table_rows


_UNENCODED = ("", "RAW", "NONE")


def is_encoded(encoding: str | None) -> bool | None:
    """Whether a column's encoding compresses it; None when the snapshot does not say."""
    if encoding is None:
        return None
    return encoding.strip().upper() not in _UNENCODED


def usage_counts(counter: Counter) -> list[Evidence]:
    """The five columns the workload uses most, with their executions, as evidence."""
    return [evidence.metric(f"executions using {column}", count) for column, count in counter.most_common(5)]


__all__ = ["TableContext", "WorkloadContext", "is_encoded", "query_facts", "usage_counts"]
