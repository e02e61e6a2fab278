"""The analyzer's entry points: one query (:func:`analyze`) and one schema with its workload
(:func:`review_schema`). Plain Python: the DAGs, the API and the command line call these.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Iterable

from sqlglot import exp

from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.findings import (
    AnalysisResult,
    Finding,
    NotAnalysed,
    Severity,
    SchemaReview,
    Verification,
)
from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.rules.base import Hit, Rule
from redshift_optimizer.rules.catalogue import RULES_VERSION, rules
from redshift_optimizer.sql.parsing import (
    NO_QUERY,
    SqlInputError,
    first_offset,
    line_col,
    parse_statements,
    unknown_syntax,
)
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
        _severity_from_stakes(findings, ctx.stats, ctx.settings)
    return findings


#: Findings about results, not cost: the time a query takes does not make them more or less true.
_CORRECTNESS = {"Q016", "Q017"}


def _severity_from_stakes(findings: list[Finding], stats: SlowQuery, config: AnalysisSettings) -> None:
    """With query statistics, severity follows the time at stake: a query that runs a few
    seconds a day cannot have a HIGH cost finding, and one that takes hours a day raises
    its MEDIUM cost findings to HIGH. The evidence says why."""
    from redshift_optimizer.models.findings import Evidence

    total = stats.total_elapsed_ms
    if total is None:
        return
    for finding in findings:
        if finding.code in _CORRECTNESS:
            continue
        before = finding.severity
        if total < config.low_stakes_total_ms:
            finding.severity = min(before, Severity.LOW)
        elif total < config.medium_stakes_total_ms:
            finding.severity = min(before, Severity.MEDIUM)
        elif total >= config.high_stakes_total_ms and before == Severity.MEDIUM:
            finding.severity = Severity.HIGH
        if finding.severity != before:
            finding.evidence.append(Evidence(
                kind="metric", name="severity from time at stake",
                value=f"{before.value} -> {finding.severity.value} ({total / 1000:,.0f} s in total)"))


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


_QUERY_WORDS = re.compile(r"\b(select|with|insert|update|delete|merge)\b", re.I)


def not_analysed_reason(ctx: QueryContext) -> tuple[str, int | None] | None:
    """(why no rule could read the statement, the offset to point at), or None when it was
    analysed or carries no query (VACUUM, GRANT, COPY ... have nothing a query rule checks)."""
    statement = ctx.original
    if not isinstance(statement, exp.Command) or ctx.statement is not statement:
        return None  # parsed, or the query it carries (EXPLAIN, UNLOAD, PREPARE) was
    meta = statement.meta or {}
    keyword = str(statement.this or "").upper()
    if meta.get("not_analysed"):
        return f"{keyword} uses {meta['not_analysed']}: the statement was not analysed", \
            meta.get("not_analysed_offset")
    text = str(statement.expression.this) if isinstance(statement.expression, exp.Literal) else ""
    if keyword.lower() in NO_QUERY or not _QUERY_WORDS.search(text):
        return None
    gap = unknown_syntax(text)
    where = ctx.sql.find(text) if text else -1
    if gap is not None:
        return (f"the query inside {keyword} uses {gap[0]}: it was not analysed",
                where + gap[1] if where >= 0 else None)
    return (f"the parser could only keep this {keyword} statement as an opaque command: the "
            "query inside it was not analysed", None)


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
    column) for input that does not parse. A statement the parser keeps only as an opaque
    command is listed in ``not_analysed`` with its position and the reason, never silently
    reported as 0 findings.
    """
    sql = check_input(sql)
    config = _settings(settings)
    statements = parse_statements(sql)
    query_hash = stats.query_hash if stats is not None else fingerprint(sql).query_hash
    findings: list[Finding] = []
    contexts = []
    skipped: list[NotAnalysed] = []
    for number, statement in enumerate(statements, 1):
        ctx = QueryContext(sql, statement, snapshot, stats, profile, config, query_hash)
        contexts.append(ctx)
        found = not_analysed_reason(ctx)
        if found is not None:
            reason, offset = found
            if offset is None:
                offset = statement.meta.get("statement_offset", first_offset(statement))
            line, col = line_col(sql, offset) if offset is not None else (None, None)
            skipped.append(NotAnalysed(statement=number, line=line, col=col,
                                       kind=str(statement.this or "").upper() or "COMMAND", reason=reason))
            continue
        findings.extend(query_findings(ctx, query_hash))
    result = AnalysisResult(
        query_hash=query_hash,
        findings=sort_findings(findings),
        not_analysed=skipped,
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
