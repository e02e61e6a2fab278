"""What one rule is: its code, its documentation, its check and its fix, in one unit.

A check is a function from a context (one query, one table, or the workload) to hits; the
engine turns hits into :class:`Finding` objects with the rule's title and default fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal

from redshift_optimizer.models.findings import Evidence, Severity

RuleScope = Literal["query", "table", "workload"]


@dataclass(frozen=True)
class Hit:
    """One place a rule fired: what is specific to this query or table."""

    message: str
    evidence: list[Evidence] = field(default_factory=list)
    severity: Severity | None = None  # None: the rule's default
    table: str | None = None
    column: str | None = None
    node: Any = None  # the offending sqlglot node, for line/col and the original fragment
    fix: str | None = None  # None: the rule's fix
    saving: dict[str, float] | None = None


@dataclass(frozen=True)
class Documentation:
    """What the rule catches, why it costs on a columnar MPP warehouse, and an example."""

    what: str
    why: str
    anti_pattern: str
    better: str


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue: one code, one check."""

    code: str
    name: str
    title: str
    default_severity: Severity
    severity_text: str  # how the severity is chosen, as the catalogue document states it
    summary: str  # one line
    documentation: Documentation
    fix: str
    check: Callable[[Any], Iterable[Hit]]
    scope: RuleScope = "query"
    needs: tuple[str, ...] = ()  # inputs without which the rule stays silent

    def __post_init__(self) -> None:
        if self.scope == "query" and not self.code.startswith("Q"):
            raise ValueError(f"{self.code}: query rules have Q codes")


def fact(kind: str, name: str, value: Any = None) -> Evidence:
    """Shorthand for one piece of evidence."""
    return Evidence(kind=kind, name=name, value=value)


__all__ = ["Documentation", "Hit", "Rule", "RuleScope", "fact"]
