"""One agent as one unit: its name, its output model, how its context is built, the rules
engine's answer, the tool description the Bedrock engine offers the model, its prompt file.

Each agent is a module of this package exporting one :class:`Agent` (``AGENT``);
:mod:`redshift_optimizer.agents.registry` finds them by scanning. Adding an agent is one new module,
its prompt file under ``include/prompts/<version>/`` and its name in
:data:`redshift_optimizer.models.agents.AGENT_NAMES` (the names a history record holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pydantic import BaseModel

from redshift_optimizer.models.agents import agent_task_id


@dataclass(frozen=True)
class ContextInputs:
    """What any agent's context is built from, for one fingerprint of one run."""

    stats: Any  # SlowQuery: the fingerprint's statistics and text
    snapshot: Any  # SchemaSnapshot
    profile: Any  # DataProfile | None
    review: Any  # SchemaReview: the run's T and C findings
    window: Any  # SlowQueries: the run's slow-query window
    validation: Mapping[str, Any]  # TableValidation per table (the run's V checks)
    config: Any  # AnalysisSettings
    price_per_second: float
    window_days: float
    tables: frozenset[str]  # the touched tables' names
    checkers: Any = None  # RewriteCheckers (none: rewrites checked up to their signature)
    validation_error: str | None = None


#: An agent's own context fields (``metrics`` entries are added to the shared ones).
ContextBuilder = Callable[[ContextInputs], dict[str, Any]]
#: The rules engine's answer: the output and its confidence.
RulesAnswer = Callable[[Any], tuple[BaseModel, float]]


@dataclass(frozen=True)
class Agent:
    name: str
    output: type[BaseModel]
    context: ContextBuilder
    rules: RulesAnswer
    tool_description: str
    #: the prompt's file in ``include/prompts/<version>/`` (``<name>.txt`` once published to S3)
    prompt_file: str
    #: output fields that come from the context (the warehouse's own measurements), never from a model
    context_fields: tuple[str, ...] = ()

    @property
    def task_id(self) -> str:
        return agent_task_id(self.name)

    @property
    def tool_name(self) -> str:
        """Converse tool names allow [a-zA-Z0-9_-]{1,64}."""
        return "report_" + self.name.replace("-", "_")


__all__ = ["Agent", "ContextBuilder", "ContextInputs", "RulesAnswer"]
