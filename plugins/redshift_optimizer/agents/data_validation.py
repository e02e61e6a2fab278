"""``data-validation-agent``: for the touched tables with ETL manifests or a previous
profile, the validation checks (V codes, run as SQL in the warehouse by
:mod:`redshift_optimizer.agents.validation`), the issues they show, fixes and confidence."""

from __future__ import annotations

from typing import Any

from redshift_optimizer.agents import rules_engine
from redshift_optimizer.agents.unit import Agent, ContextInputs
from redshift_optimizer.models.agents import DATA_VALIDATION, DataValidationOutput


def context(inputs: ContextInputs) -> dict[str, Any]:
    checks, findings = [], []
    for name in sorted(inputs.tables):
        if name in inputs.validation:
            checks += inputs.validation[name].checks
            findings += inputs.validation[name].findings
    fields: dict[str, Any] = {"validation_checks": checks, "findings": findings, "metrics": {
        f"check.{check.code}.{check.table}" + (f".{check.column}" if check.column else ""): check.status
        for check in checks}}
    if inputs.validation_error:
        fields["parse_error"] = inputs.validation_error
    return fields


AGENT = Agent(
    name=DATA_VALIDATION,
    output=DataValidationOutput,
    context=context,
    rules=rules_engine.data_validation,
    tool_description="Report the issues the validation checks show, their fixes and your confidence.",
    prompt_file=f"{DATA_VALIDATION}.md",
    context_fields=("validation_checks",),
)

__all__ = ["AGENT", "context"]
