"""The ``rules`` engine: each agent's output built from the analyzer's findings, offline.

Every statement cites the finding code or metric key it comes from, exactly as a model's
statements must. Nothing here invents a figure: a benefit is the time and money the query
spends (the stake), savings are the C findings' own estimates, and a recommendation's DDL
comes from the finding's table and column.
"""

from __future__ import annotations

from redshift_optimizer.agents.context import AgentContext
from redshift_optimizer.models.agents import (
    COST_SAVER,
    DATA_VALIDATION,
    QUERY_OPTIMIZER,
    SCHEMA_NORMALIZER,
    Action,
    Benefit,
    Cited,
    CostAction,
    CostSaverOutput,
    DataValidationOutput,
    DesignRecommendation,
    HighCostQuery,
    QueryOptimizerOutput,
    Savings,
    SchemaNormalizerOutput,
    StorageAction,
    TableStatement,
)
from redshift_optimizer.models.findings import Finding, Severity, Verification

DISTRIBUTION_CODES = ("T002", "T003", "T009", "T012", "T015")
SORT_KEY_CODES = ("T001", "T010", "T013")
ENCODING_CODES = ("T004", "T005", "T008")
STORAGE_CODES = ("T004", "T008", "T011")
_DDL_PREFIXES = ("ALTER ", "ANALYZE", "VACUUM", "CREATE ", "DROP ", "UNLOAD")


def _ddl(finding: Finding) -> str | None:
    """The finding's fix when it is a statement (the rules write DDL fixes where they can)."""
    fix = finding.fix.strip()
    return fix if fix.upper().startswith(_DDL_PREFIXES) else None


def _sentence(finding: Finding) -> str:
    where = f" (line {finding.line})" if finding.line else ""
    return f"{finding.code} {finding.title}{where}: {finding.message}"


# ------------------------------------------------------------------- query optimizer

def query_optimizer(ctx: AgentContext) -> tuple[QueryOptimizerOutput, float]:
    """The Q findings as analysis; the analyzer's verified rewrite; the fixes a rewrite cannot
    apply (design changes, approximations) as additional actions."""
    analysis = [Cited(text=_sentence(f), cites=[f.code]) for f in ctx.findings]
    if ctx.parse_error:
        analysis.append(Cited(text=f"The query could not be parsed: {ctx.parse_error}", cites=["query.executions"]))
    fixed_by_rewrite = {r.code for r in ctx.rewrites if r.code}
    actions = [
        Action(text=f"{f.code}: {f.fix}", ddl=_ddl(f), cites=[f.code])
        for f in ctx.findings if f.code not in fixed_by_rewrite
    ]
    seconds = ctx.metrics.get("query.seconds_per_day")
    money = ctx.metrics.get("query.cost_per_day")
    severe = [f.code for f in ctx.findings if f.severity >= Severity.HIGH]
    if ctx.findings and seconds is not None:
        summary = (
            f"This fingerprint took {seconds:,.1f} s of query time on {ctx.run_date} "
            f"(USD {money:,.2f} at the configured price) over {ctx.query.executions} execution(s). "
            + (f"The {', '.join(sorted(set(severe)))} finding(s) act on its most expensive steps. " if severe else "")
            + ("The rewrite applies " + ", ".join(sorted(fixed_by_rewrite)) + "." if fixed_by_rewrite else "")
        ).strip()
        benefit = Benefit(summary=summary, time_at_stake_seconds_per_day=seconds, money_at_stake_per_day=money,
                          cites=["query.seconds_per_day", *sorted({f.code for f in ctx.findings})])
    elif ctx.findings:
        benefit = Benefit(summary="No statistics for this fingerprint: the time at stake is unknown.",
                          cites=sorted({f.code for f in ctx.findings}))
    else:
        benefit = None
    output = QueryOptimizerOutput(
        optimized_query=ctx.optimized_query,
        analysis=analysis,
        estimated_benefit=benefit,
        additional_actions=actions,
    )
    confidence = 0.5 if ctx.parse_error else (0.9 if ctx.tables else 0.6)
    if ctx.optimized_query and ctx.verification.rank >= Verification.EQUIVALENT.rank:
        confidence = min(1.0, confidence + 0.05)
    return output, confidence


# ----------------------------------------------------------------- schema normalizer

def _design(findings_by_table: dict[str, list[Finding]], finding: Finding, table: dict | None) -> DesignRecommendation:
    name = finding.table or ""
    siblings = {f.code: f for f in findings_by_table.get(name, [])}
    join_column = siblings["T012"].column if "T012" in siblings else None
    filter_column = siblings["T013"].column if "T013" in siblings else None
    dist_key = (table or {}).get("dist_key")
    dist_style = (table or {}).get("dist_style")
    sort_keys = (table or {}).get("sort_keys") or []
    current_dist = f"DISTKEY({dist_key})" if dist_key else (f"DISTSTYLE {dist_style}" if dist_style else None)
    current_sort = f"{(table or {}).get('sort_key_type') or 'COMPOUND'} SORTKEY({', '.join(sort_keys)})" if sort_keys else "no sort key"
    code = finding.code
    recommended, ddl, current, column = "", _ddl(finding), None, finding.column
    if code in ("T012", "T002", "T009", "T015"):
        current = current_dist
        if join_column and join_column.lower() != (dist_key or "").lower():
            recommended, column = f"DISTKEY({join_column})", join_column
            ddl = f"ALTER TABLE {name} ALTER DISTKEY {join_column};"
        else:
            recommended = "DISTSTYLE EVEN (or AUTO)" if code != "T009" else "DISTKEY on the join column, or DISTSTYLE AUTO"
            ddl = ddl or f"ALTER TABLE {name} ALTER DISTSTYLE {'EVEN' if code != 'T009' else 'AUTO'};"
    elif code == "T003":
        current, recommended = current_dist, "DISTSTYLE ALL"
        ddl = ddl or f"ALTER TABLE {name} ALTER DISTSTYLE ALL;"
    elif code in ("T001", "T013"):
        current = current_sort
        target = filter_column or (finding.column if code == "T013" else None)
        if target:
            recommended, column = f"COMPOUND SORTKEY({target})", target
            ddl = f"ALTER TABLE {name} ALTER COMPOUND SORTKEY ({target});"
        else:
            recommended, ddl = "SORTKEY AUTO", ddl or f"ALTER TABLE {name} ALTER SORTKEY AUTO;"
    elif code == "T010":
        current = current_sort
        recommended = f"COMPOUND SORTKEY({', '.join(sort_keys)})" if sort_keys else "SORTKEY AUTO"
        ddl = ddl or (f"ALTER TABLE {name} ALTER COMPOUND SORTKEY ({', '.join(sort_keys)});" if sort_keys
                      else f"ALTER TABLE {name} ALTER SORTKEY AUTO;")
    elif code == "T004":
        current, recommended = "most columns RAW", "ENCODE AUTO"
        ddl = ddl or f"ALTER TABLE {name} ALTER ENCODE AUTO;"
    elif code == "T005":
        current, recommended = "first sort key column compressed", "ENCODE RAW on the first sort key column"
        ddl = ddl or (f"ALTER TABLE {name} ALTER COLUMN {finding.column} ENCODE RAW;" if finding.column else None)
    elif code == "T008":
        current, recommended = "oversized VARCHAR", finding.fix
    return DesignRecommendation(
        table=name, column=column, current=current, recommended=recommended or finding.fix, ddl=ddl,
        text=f"{finding.code}: {finding.message}", cites=[finding.code],
    )


def schema_normalizer(ctx: AgentContext) -> tuple[SchemaNormalizerOutput, float]:
    """The touched tables' T findings, each placed under distribution, sort key or encoding
    with the DDL that applies it; the rest (statistics, vacuum, keys) as schema findings."""
    by_table: dict[str, list[Finding]] = {}
    for f in ctx.findings:
        by_table.setdefault(f.table or "", []).append(f)
    output = SchemaNormalizerOutput()
    for f in ctx.findings:
        table = ctx.table(f.table) if f.table else None
        output.schema_findings.append(TableStatement(table=f.table or "", text=_sentence(f), cites=[f.code]))
        if f.code in DISTRIBUTION_CODES:
            output.distribution_recommendations.append(_design(by_table, f, table))
        elif f.code in SORT_KEY_CODES:
            output.sort_key_recommendations.append(_design(by_table, f, table))
        elif f.code in ENCODING_CODES:
            output.encoding_recommendations.append(_design(by_table, f, table))
    # one distribution change per table: the first (most severe) recommendation wins
    seen: set[str] = set()
    unique = []
    for rec in sorted(output.distribution_recommendations, key=lambda r: r.column is None):
        if rec.table not in seen:
            seen.add(rec.table)
            unique.append(rec)
        else:
            existing = next(u for u in unique if u.table == rec.table)
            existing.cites = sorted(set(existing.cites) | set(rec.cites))
    output.distribution_recommendations = unique
    return output, 0.9 if any("columns" in t and any("null_ratio" in c for c in t["columns"]) for t in ctx.tables) else 0.8


# ------------------------------------------------------------------------ cost saver

def cost_saver(ctx: AgentContext) -> tuple[CostSaverOutput, float]:
    """Where this fingerprint's time and money go among the day's top queries, the C
    findings' savings, WLM advice from queue time, storage actions on the touched tables."""
    output = CostSaverOutput()
    for entry in ctx.workload:
        key = f"workload.{entry['query_hash']}"
        output.high_cost_queries.append(HighCostQuery(
            query_hash=entry["query_hash"], executions=entry.get("executions"),
            total_elapsed_seconds=entry.get("total_elapsed_seconds"), cost_per_day=entry.get("cost_per_day"),
            share_of_workload_pct=entry.get("share_of_workload_pct"),
            cites=[f"{key}.total_elapsed_seconds"],
        ))
    seconds_total = 0.0
    money_total = 0.0
    for f in ctx.findings:
        saving = f.saving or {}
        if f.code in ("C001", "C004", "C005"):
            output.cost_reduction_actions.append(CostAction(
                text=f"{f.code}: {f.message}. {f.fix}", cites=[f.code],
                seconds_per_day=saving.get("seconds_per_day"), money_per_day=saving.get("money_per_day"),
            ))
            seconds_total += saving.get("seconds_per_day") or 0.0
            money_total += saving.get("money_per_day") or 0.0
        elif f.code == "C003":
            output.wlm_recommendations.append(Cited(text=f"{f.code}: {f.message}. {f.fix}", cites=[f.code]))
        elif f.code == "C002" or f.code in STORAGE_CODES:
            table = ctx.table(f.table) if f.table else None
            per_day = saving.get("money_per_day")
            output.storage_optimizations.append(StorageAction(
                table=f.table or "", text=f"{f.code}: {f.message}. {f.fix}", cites=[f.code],
                size_mb=(table or {}).get("size_mb") or _size_from_evidence(f),
                money_per_month=None if per_day is None else round(per_day * 30, 2), ddl=_ddl(f),
            ))
            money_total += per_day or 0.0
    queue = ctx.metrics.get("query.queue_ms")
    total = ctx.metrics.get("query.total_elapsed_ms")
    if not output.wlm_recommendations and queue and total and queue / total >= 0.2:
        output.wlm_recommendations.append(Cited(
            text=(f"This query spends {queue / total:.0%} of its elapsed time queued: give its WLM queue more "
                  "slots or turn on concurrency scaling / short query acceleration."),
            cites=["query.queue_ms", "query.total_elapsed_ms"],
        ))
    output.estimated_savings = Savings(
        seconds_per_day=round(seconds_total, 1), money_per_day=round(money_total, 2),
        basis="sum of the C findings' estimates at the configured price (storage at the managed-storage price)",
    )
    return output, 0.8


def _size_from_evidence(finding: Finding) -> float | None:
    for e in finding.evidence:
        if e.name.endswith(".size_mb") and isinstance(e.value, (int, float)):
            return float(e.value)
    return None


# ------------------------------------------------------------------- data validation

def data_validation(ctx: AgentContext) -> tuple[DataValidationOutput, float]:
    """The V checks as run in the warehouse; failed ones as issues with their fixes. The
    confidence is the share of planned checks that ran to a verdict."""
    output = DataValidationOutput(validation_checks=list(ctx.validation_checks))
    for f in ctx.findings:
        output.issues_detected.append(TableStatement(table=f.table or "", text=_sentence(f), cites=[f.code]))
        output.recommended_fixes.append(TableStatement(table=f.table or "", text=f"{f.code}: {f.fix}", cites=[f.code]))
    ran = [c for c in ctx.validation_checks if c.status != "skipped"]
    output.confidence_score = round(len(ran) / len(ctx.validation_checks), 2) if ctx.validation_checks else 0.0
    return output, output.confidence_score


def action_items(agent_name: str, output: object) -> list[str]:
    """The short to-do list of the envelope: DDL where there is one, else the action text."""
    items: list[str] = []
    if isinstance(output, QueryOptimizerOutput):
        if output.optimized_query:
            items.append("Replace the query with optimized_query")
        items += [a.ddl or a.text for a in output.additional_actions]
    elif isinstance(output, SchemaNormalizerOutput):
        for rec in (*output.distribution_recommendations, *output.sort_key_recommendations,
                    *output.encoding_recommendations):
            items.append(rec.ddl or f"{rec.table}: {rec.recommended}")
    elif isinstance(output, CostSaverOutput):
        items += [a.text for a in output.cost_reduction_actions]
        items += [w.text for w in output.wlm_recommendations]
        items += [s.ddl or s.text for s in output.storage_optimizations]
    elif isinstance(output, DataValidationOutput):
        items += [f.text for f in output.recommended_fixes]
    return list(dict.fromkeys(items))[:20]


__all__ = ["action_items", "cost_saver", "data_validation", "query_optimizer", "schema_normalizer"]
