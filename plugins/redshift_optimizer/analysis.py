"""The analyzer's entry points: one query (:func:`analyze`) and one schema with its workload
(:func:`review_schema`). Plain Python: the DAGs, the API and the command line call these.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

from sqlglot import exp

from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.findings import (
    AnalysisResult,
    Finding,
    SchemaReview,
    Verification,
)
from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.rules.base import Hit, Rule
from redshift_optimizer.rules.catalogue import RULES_VERSION, rules
from redshift_optimizer.rules.parsing import SqlInputError, parse_statements
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.rules.settings import AnalysisSettings

logger = logging.getLogger(__name__)

#: Longest SQL text the analyzer accepts (characters); a statement of several megabytes is
#: generated SQL, and parsing it would hold a worker for minutes.
MAX_SQL_CHARS = 1_000_000

_PLAN_ALERTS = {  # planner alerts (SlowQuery.alerts) that confirm a query finding
    "nested loop": ("Q002", "Q015", "Q019"),
    "broadcast": ("Q011",),
    "redistribut": ("Q011",),
    "very selective": ("Q003", "Q010"),
}


def _settings(settings: Any) -> AnalysisSettings:
    if settings is None:
        return AnalysisSettings()
    if isinstance(settings, AnalysisSettings):
        return settings
    return AnalysisSettings.from_settings(settings)


def check_input(sql: Any) -> str:
    """The SQL text, or SqlInputError for input that cannot be analysed."""
    if isinstance(sql, bytes):
        try:
            sql = sql.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SqlInputError(f"the input is not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    if not isinstance(sql, str):
        raise SqlInputError(f"expected SQL text, got {type(sql).__name__}")
    if "\x00" in sql:
        raise SqlInputError("the input contains NUL bytes: not SQL text")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlInputError(
            f"the SQL is {len(sql):,} characters; the analyzer reads at most {MAX_SQL_CHARS:,} "
            "(split the script, or analyse the statements one by one)"
        )
    if not sql.strip():
        raise SqlInputError("no SQL given (the input is empty)")
    return sql


def to_finding(rule: Rule, hit: Hit, ctx: QueryContext | None = None, query_hash: str | None = None) -> Finding:
    """A rule's hit as a finding, with the rule's title and default fix."""
    line, col = ctx.position(hit.node) if ctx is not None and hit.node is not None else (None, None)
    return Finding(
        code=rule.code,
        severity=hit.severity or rule.default_severity,
        title=rule.title,
        message=hit.message,
        evidence=list(hit.evidence),
        fix=hit.fix or rule.fix,
        table=hit.table,
        column=hit.column,
        query_hash=query_hash,
        line=line,
        col=col,
        saving=hit.saving,
    )


def query_findings(ctx: QueryContext, query_hash: str | None = None) -> list[Finding]:
    """Every query rule's findings on one parsed statement."""
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for rule in rules("query"):
        for finding in _guarded(rule, ctx, lambda hit, rule=rule: to_finding(rule, hit, ctx, query_hash)):
            key = (finding.code, finding.line, finding.col, finding.message)
            if key in seen:
                continue
            seen.add(key)
            findings.append(finding)
    if ctx.stats is not None:
        _attach_statistics(findings, ctx.stats)
    return findings


def _guarded(rule: Rule, ctx: Any, convert) -> list[Finding]:
    """A rule's findings; a rule that fails on some valid SQL reports nothing (and is
    logged) rather than failing the whole analysis."""
    try:
        return [convert(hit) for hit in rule.check(ctx)]
    except Exception:  # noqa: BLE001 - one rule's defect must not hide the others' findings
        logger.warning("rule %s failed and was skipped", rule.code, exc_info=True)
        return []


def _attach_statistics(findings: list[Finding], stats: SlowQuery) -> None:
    from redshift_optimizer.models.findings import Evidence

    for finding in findings:
        for alert in stats.alerts:
            lowered = alert.lower()
            if any(key in lowered and finding.code in codes for key, codes in _PLAN_ALERTS.items()):
                finding.evidence.append(Evidence(kind="metric", name="planner alert", value=alert))
        if stats.executions and stats.total_elapsed_ms is not None:
            finding.evidence.append(Evidence(kind="metric", name="executions", value=stats.executions))
            finding.evidence.append(
                Evidence(kind="metric", name="total_elapsed_ms", value=stats.total_elapsed_ms)
            )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.line or 0, f.col or 0, f.code))


def analyze(
    sql: str,
    snapshot: SchemaSnapshot | None = None,
    stats: SlowQuery | None = None,
    profile: DataProfile | None = None,
    settings: Any = None,
    warehouse: Any = None,
    budget: Any = None,
    proof_engine: Any = None,
) -> AnalysisResult:
    """Findings for one query (every statement of the text), and a verified rewrite where a
    finding has a semantics-preserving fix that is expected to cost less.

    The rewrite reaches ``signature`` here; with a ``proof_engine`` (a Warehouse on the local
    PostgreSQL) each step is also compared on generated adversarial data (``adversarial``);
    with a ``warehouse`` its plan cost is compared with the original's, and it is EXPLAINed
    and run against the original (``explained`` / ``equivalent``). A step that fails a rung,
    or that the plan says costs no less, is not offered. Raises SqlInputError (with line and
    column) for input that does not parse.
    """
    sql = check_input(sql)
    config = _settings(settings)
    statements = parse_statements(sql)
    query_hash = stats.query_hash if stats is not None else fingerprint(sql).query_hash
    findings: list[Finding] = []
    contexts = []
    for statement in statements:
        ctx = QueryContext(sql, statement, snapshot, stats, profile, config, query_hash)
        contexts.append(ctx)
        findings.extend(query_findings(ctx, query_hash))
    result = AnalysisResult(
        query_hash=query_hash,
        findings=sort_findings(findings),
        rules_version=RULES_VERSION,
    )
    if len(contexts) == 1 and isinstance(contexts[0].original, exp.Query):
        from redshift_optimizer.rewrite import offer_rewrite

        offer_rewrite(contexts[0], result, warehouse=warehouse, budget=budget, proof_engine=proof_engine)
    return result


def review_schema(
    snapshot: SchemaSnapshot,
    profile: DataProfile | None = None,
    queries: SlowQueries | None = None,
    settings: Any = None,
) -> SchemaReview:
    """Table findings (T codes) for every table of the snapshot and workload findings
    (C codes) for the slow-query window; T012/T013 come from the queries' joins and filters."""
    from redshift_optimizer.rules.table_context import TableContext, WorkloadContext

    config = _settings(settings)
    workload = WorkloadContext.build(snapshot, queries, config) if queries is not None else None
    table_findings: list[Finding] = []
    for table in snapshot.tables:
        ctx = TableContext(table, snapshot, profile, workload, config)
        for rule in rules("table"):
            table_findings.extend(_guarded(rule, ctx, lambda hit, rule=rule: to_finding(rule, hit)))
    workload_findings: list[Finding] = []
    if workload is not None:
        for rule in rules("workload"):
            workload_findings.extend(_guarded(
                rule, workload, lambda hit, rule=rule: to_finding(rule, hit, query_hash=hit_hash(hit))))
    return SchemaReview(
        schema_version=snapshot.schema_version,
        table_findings=sort_findings(table_findings),
        workload_findings=sort_findings(workload_findings),
        rules_version=RULES_VERSION,
    )


def hit_hash(hit: Hit) -> str | None:
    return next((e.value for e in hit.evidence if e.name == "query_hash"), None)


__all__ = ["MAX_SQL_CHARS", "analyze", "check_input", "query_findings", "review_schema", "to_finding"]
