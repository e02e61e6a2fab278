"""``schema-normalizer``: for the tables the query touches, the schema findings and the
distribution, sort key and encoding recommendations with their DDL."""

from __future__ import annotations

from typing import Any

from redshift_optimizer.agents import rules_engine
from redshift_optimizer.agents.unit import Agent, ContextInputs
from redshift_optimizer.models.agents import SCHEMA_NORMALIZER, SchemaNormalizerOutput
from redshift_optimizer.models.findings import SchemaReview


def schema_findings(review: SchemaReview, tables: set[str] | frozenset[str]) -> list:
    """The schema-normalizer's findings: the T findings of the touched tables only."""
    return [f for f in review.table_findings if f.table in tables]


def context(inputs: ContextInputs) -> dict[str, Any]:
    return {"findings": schema_findings(inputs.review, inputs.tables)}


AGENT = Agent(
    name=SCHEMA_NORMALIZER,
    output=SchemaNormalizerOutput,
    context=context,
    rules=rules_engine.schema_normalizer,
    tool_description="Report schema findings and distribution, sort key and encoding recommendations.",
    prompt_file=f"{SCHEMA_NORMALIZER}.md",
)

__all__ = ["AGENT", "context", "schema_findings"]
