"""Validation rules (V codes): one table's data against its ETL manifests, its key, its
previous profile and its freshness SLA, measured by SQL inside the warehouse.

One module per rule, ``vNNN_<name>.py``, each defining ``RULE``; they are found by scanning
this package. A rule's check takes a :class:`ValidationContext` and yields one
:class:`Verdict` per check it made (passed, failed or skipped with the reason); a failed
one carries the hit its finding is made of. What cannot be checked is reported ``skipped``,
never guessed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from redshift_optimizer.models.findings import Evidence, Finding
from redshift_optimizer.rules.base import Rule, scan
from redshift_optimizer.rules.validation.context import (
    Limits,
    TableValidation,
    ValidationContext,
    ValidationPlan,
    Verdict,
)

if TYPE_CHECKING:
    from redshift_optimizer.warehouse import Warehouse

RULES = scan(__name__)


def to_finding(rule: Rule, verdict: Verdict) -> Finding:
    """A failed check as a finding, with the rule's title, severity and fix."""
    check, hit = verdict.check, verdict.hit
    return Finding(code=rule.code, severity=hit.severity or rule.default_severity, title=rule.title,
                   message=hit.message, evidence=[Evidence(kind="table", name=check.table), *hit.evidence],
                   fix=hit.fix or rule.fix, table=check.table, column=check.column)


def validate_table(warehouse: "Warehouse", plan: ValidationPlan, limits: Limits, reference: datetime) -> TableValidation:
    """Every V rule on one table: its checks in report order (per manifest, the key, per
    profiled column, freshness) and the findings of those that failed."""
    ctx = ValidationContext(warehouse, plan, limits, reference)
    verdicts = [(verdict, rule) for rule in RULES for verdict in rule.check(ctx)]
    verdicts.sort(key=lambda pair: pair[0].at)  # stable: a rule's own order is kept
    return TableValidation(
        table=plan.table.table_name,
        checks=[verdict.check for verdict, _ in verdicts],
        findings=[to_finding(rule, verdict) for verdict, rule in verdicts if verdict.hit is not None],
    )


__all__ = ["RULES", "Limits", "TableValidation", "ValidationContext", "ValidationPlan", "Verdict", "to_finding",
           "validate_table"]
