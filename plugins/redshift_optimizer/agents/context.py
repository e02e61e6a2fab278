"""What one agent sees about one fingerprint: its rule findings, the metadata of only the
tables the query touches, the metrics it may cite, and (for a model) all of it redacted.

Pure logic: no Airflow, no boto3. The pipeline builds one :class:`AgentContext` per agent
and fingerprint; the rules engine reads it as is, the Bedrock engine sends
:meth:`AgentContext.for_model`, which never carries a literal of the query's text (strings,
numbers), the profile's data values (min, max, top values) or other queries' text.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp
from sqlglot.tokens import TokenType

from redshift_optimizer.fingerprint import redact_literals
from redshift_optimizer.models.agents import QueryInfo, ValidationCheck
from redshift_optimizer.models.findings import Finding, PlanCost, Rewrite, Verification
from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQueries, SlowQuery, TableSnapshot

#: Table-level metrics offered for citation (``table.<name>.<metric>``).
TABLE_METRICS = (
    "row_count", "size_mb", "dist_style", "dist_key", "sort_keys", "sort_key_type", "skew_rows",
    "unsorted_pct", "stats_off", "ghost_rows", "vacuum_sort_benefit", "max_varchar", "primary_key",
)
QUERY_METRICS = (
    "executions", "total_elapsed_ms", "mean_elapsed_ms", "max_elapsed_ms", "queue_ms", "compile_ms",
    "returned_rows", "spilled_mb",
)


class AgentContext(BaseModel):
    """Everything one agent may use for one fingerprint on one day."""

    agent_name: str
    run_date: str
    query: QueryInfo
    schema_version: str
    rules_version: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    tables: list[dict[str, Any]] = Field(default_factory=list, description="touched tables only")
    metrics: dict[str, Any] = Field(default_factory=dict, description="citable metric keys and values")
    workload: list[dict[str, Any]] = Field(default_factory=list, description="cost-saver: the day's top fingerprints")
    validation_checks: list[ValidationCheck] = Field(default_factory=list)
    optimized_query: str | None = Field(None, description="the rule engine's verified rewrite, if any")
    rewrites: list[Rewrite] = Field(default_factory=list)
    verification: Verification = Verification.NONE
    verification_notes: list[str] = Field(default_factory=list)
    rewrite_cost: PlanCost | None = Field(None, description="the rewrite's cost against the original, if measured")
    parse_error: str | None = None
    prices: dict[str, float] = Field(default_factory=dict, description="price_per_second, storage_price_per_gb_month")

    @property
    def query_hash(self) -> str:
        return self.query.query_hash

    def citations(self) -> set[str]:
        """What a statement may cite: the context's finding codes and metric keys."""
        return {f.code for f in self.findings} | set(self.metrics)

    def table(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.tables if t["table_name"].lower() == name.lower()), None)

    def for_model(self) -> dict[str, Any]:
        """The context as sent to a model: literals of the query redacted everywhere."""
        literals = query_literals(self.query.query_text)
        document = {
            "agent": self.agent_name,
            "query": {
                "query_hash": self.query.query_hash,
                "sql": redact_literals(self.query.query_text),
                "executions": self.query.executions,
                "total_elapsed_ms": self.query.total_elapsed_ms,
                "mean_elapsed_ms": self.query.mean_elapsed_ms,
                "rank": self.query.rank,
            },
            "findings": [_finding_for_model(f) for f in self.findings],
            "tables": self.tables,
            "metrics": self.metrics,
        }
        if self.workload:
            document["workload"] = self.workload
        if self.validation_checks:
            document["validation_checks"] = [c.model_dump(exclude_none=True) for c in self.validation_checks]
        if self.optimized_query:
            document["rule_rewrite"] = {
                "sql": redact_literals(self.optimized_query),
                "verification": self.verification.value,
                "rewrites": [r.model_dump(exclude_none=True) for r in self.rewrites],
            }
        if self.parse_error:
            document["parse_error"] = redact_literals(self.parse_error)
        return scrub(document, literals)


def _finding_for_model(finding: Finding) -> dict[str, Any]:
    data = finding.model_dump(mode="json", exclude_none=True, exclude={"query_hash"})
    data["message"] = redact_literals(finding.message)
    data["evidence"] = [
        {**e, "value": redact_literals(e["value"])} if isinstance(e.get("value"), str) else e
        for e in data.get("evidence", [])
    ]
    return data


# ------------------------------------------------------------------------------ literals

def query_literals(sql: str) -> tuple[set[str], set[float]]:
    """The string and number literals of a query (Redshift tokenizer), for scrubbing."""
    strings: set[str] = set()
    numbers: set[float] = set()
    try:
        tokens = sqlglot.tokenize(sql, read="redshift")
    except Exception:  # noqa: BLE001 - an untokenizable text: fall back to a crude scan
        strings.update(m.group(1) for m in re.finditer(r"'((?:[^']|'')*)'", sql))
        numbers.update(float(m.group(0)) for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", sql))
        return {s for s in strings if s}, numbers
    for token in tokens:
        if token.token_type in (TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING,
                                TokenType.HEREDOC_STRING, TokenType.BYTE_STRING, TokenType.BIT_STRING,
                                TokenType.HEX_STRING, TokenType.UNICODE_STRING):
            if token.text:
                strings.add(token.text)
        elif token.token_type == TokenType.NUMBER:
            try:
                numbers.add(float(token.text))
            except ValueError:
                pass
    return strings, numbers


def scrub(value: Any, literals: tuple[set[str], set[float]]) -> Any:
    """``value`` with every literal of the query replaced by ``?``: substrings of strings,
    and numbers equal to a numeric literal (both as values and as tokens inside strings)."""
    strings, numbers = literals
    # LIKE patterns: their pieces between wildcards are the values ('%ACME%' -> 'ACME').
    pieces = {piece for s in strings for piece in re.split(r"%+", s)}
    patterns = sorted((s for s in strings | pieces if len(s.strip()) >= 2), key=len, reverse=True)
    number_tokens = sorted({_number_text(n) for n in numbers if abs(n) >= 10}, key=len, reverse=True)
    token_re = (
        # the number itself (also written 20.0), not the digits of another one (20 in 20.37)
        re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, number_tokens)) + r")(?:\.0+)?(?!\w|\.\d)")
        if number_tokens else None
    )

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, (int, float)):
            return "?" if float(node) in numbers and abs(node) >= 10 else node
        if isinstance(node, str):
            for literal in patterns:
                if literal in node:
                    node = node.replace(literal, "?")
            if token_re is not None:
                node = token_re.sub("?", node)
            return node
        return node

    return walk(value)


def _number_text(number: float) -> str:
    return str(int(number)) if number == int(number) else repr(number)


# --------------------------------------------------------------------------- the tables

def top_queries(slow: SlowQueries, limit: int) -> list[SlowQuery]:
    """The ``limit`` fingerprints of a window with the most total elapsed time (ties: by hash)."""
    return sorted(slow.queries, key=lambda q: (-(q.total_elapsed_ms or 0.0), q.query_hash))[:limit]


def touched_tables(sql: str, snapshot: SchemaSnapshot | None) -> list[TableSnapshot]:
    """The snapshot's tables a query reads or writes (CTE names excluded)."""
    if snapshot is None:
        return []
    try:
        statements = [s for s in sqlglot.parse(sql, read="redshift") if s is not None]
    except Exception:  # noqa: BLE001 - the analyzer reports parse errors; here: no tables
        return []
    found: dict[str, TableSnapshot] = {}
    for statement in statements:
        ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            name = table.name
            if not name or (not table.db and name.lower() in ctes):
                continue
            qualified = f"{table.db}.{name}" if table.db else name
            match = snapshot.table(qualified)
            if match is not None:
                found.setdefault(match.table_name, match)
    return list(found.values())


def table_metadata(table: TableSnapshot, profile: DataProfile | None) -> dict[str, Any]:
    """One table's design, health and per-column shape, without data values."""
    profiled = profile.table(table.table_name) if profile is not None else None
    columns = []
    for column in table.columns:
        entry: dict[str, Any] = {"name": column.name, "type": column.type, "encoding": column.encoding}
        if column.dist_key:
            entry["dist_key"] = True
        if column.sort_key_position:
            entry["sort_key_position"] = column.sort_key_position
        if not column.nullable:
            entry["nullable"] = False
        stats = profiled.column(column.name) if profiled is not None else None
        if stats is not None:
            for key in ("null_ratio", "distinct_estimate", "max_length"):
                if getattr(stats, key) is not None:
                    entry[key] = getattr(stats, key)
        columns.append(entry)
    data = {key: getattr(table, key) for key in TABLE_METRICS if key != "ghost_rows"}
    data["ghost_rows"] = table.ghost_rows
    return {"table_name": table.table_name, **{k: v for k, v in data.items() if v not in (None, [])},
            "columns": columns}


def table_metrics(tables: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``table.<name>.<metric>`` and ``column.<name>.<column>.<stat>`` keys."""
    metrics: dict[str, Any] = {}
    for table in tables:
        name = table["table_name"]
        for key in TABLE_METRICS:
            if key in table:
                metrics[f"table.{name}.{key}"] = table[key]
        for column in table["columns"]:
            for key in ("null_ratio", "distinct_estimate", "max_length"):
                if key in column:
                    metrics[f"column.{name}.{column['name']}.{key}"] = column[key]
    return metrics


def query_metrics(query: SlowQuery | None, rank: int, price_per_second: float, days: float = 1.0) -> dict[str, Any]:
    """``query.<metric>`` keys, with time and money per day at the configured price."""
    if query is None:
        return {}
    metrics: dict[str, Any] = {f"query.{key}": getattr(query, key) for key in QUERY_METRICS
                               if getattr(query, key) is not None}
    metrics["query.rank"] = rank
    if query.total_elapsed_ms is not None:
        seconds = query.total_elapsed_ms / 1000.0 / max(days, 1e-9)
        metrics["query.seconds_per_day"] = round(seconds, 3)
        metrics["query.cost_per_day"] = round(seconds * price_per_second, 4)
    return metrics


__all__ = [
    "AgentContext",
    "query_literals",
    "query_metrics",
    "scrub",
    "table_metadata",
    "table_metrics",
    "touched_tables",
]
