"""The agents: every module of this package that exports an ``AGENT``
(:class:`~redshift_optimizer.agents.unit.Agent`), found by scanning the package, in the order
of :data:`redshift_optimizer.models.agents.AGENT_NAMES` (the names a history record holds,
which the DAG files read without importing the engines at parse time).

Task ids, tool names, output models, prompts and contexts all come from these units. Adding
an agent is one new module here, its prompt under ``include/prompts/<version>/`` and its
name in ``AGENT_NAMES``; a unit without a name there, or a name without a unit, is an error
at import.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from redshift_optimizer.agents.unit import Agent
from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.models.agents import AGENT_NAMES


def scan(package: str = "redshift_optimizer.agents") -> dict[str, Agent]:
    """The ``AGENT`` of every module of ``package``, by name."""
    found: dict[str, Agent] = {}
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        unit = getattr(importlib.import_module(f"{package}.{module.name}"), "AGENT", None)
        if unit is None:
            continue
        if not isinstance(unit, Agent):
            raise TypeError(f"{package}.{module.name}.AGENT is not an Agent")
        if unit.name in found:
            raise ValueError(f"agent {unit.name!r} is defined twice in {package}")
        found[unit.name] = unit
    unnamed = sorted(set(found) - set(AGENT_NAMES))
    missing = [name for name in AGENT_NAMES if name not in found]
    if unnamed or missing:
        raise ValueError(f"agents without a name in models.agents.AGENT_NAMES: {unnamed}; "
                         f"names without an agent module: {missing}")
    return found


@functools.cache
def _by_name() -> dict[str, Agent]:
    return scan()  # on first use: the engine modules scanned here import this one


def agent(name: str) -> Agent:
    try:
        return _by_name()[name]
    except KeyError:
        raise ConfigurationError(f"no agent {name!r} (agents: {', '.join(AGENT_NAMES)})") from None


def __getattr__(name: str):
    if name == "AGENTS":  # the units in AGENT_NAMES order
        return tuple(_by_name()[n] for n in AGENT_NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AGENTS", "agent", "scan"]
