"""The agents, in the order the DAGs, the API, the tests and the benchmarks show them.

Task ids, tool names, output models, prompts and contexts all come from these units
(:class:`~redshift_optimizer.agents.unit.Agent`); the DAG files use the names and task ids
of :mod:`redshift_optimizer.models.agents` (the same, without importing the engines at parse
time), which a test holds equal to this list.
"""

from __future__ import annotations

from redshift_optimizer.agents import cost_saver, data_validation, query_optimizer, schema_normalizer
from redshift_optimizer.agents.unit import Agent
from redshift_optimizer.errors import ConfigurationError

AGENTS: tuple[Agent, ...] = (query_optimizer.AGENT, schema_normalizer.AGENT, cost_saver.AGENT, data_validation.AGENT)
_BY_NAME = {unit.name: unit for unit in AGENTS}


def agent(name: str) -> Agent:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigurationError(f"no agent {name!r} (agents: {', '.join(_BY_NAME)})") from None


__all__ = ["AGENTS", "agent"]
