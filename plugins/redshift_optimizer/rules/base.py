"""What one rule is: its code, its documentation, its check and its fix, in one unit.

A check is a function from a context (one query, one table, or the workload) to hits; the
engine turns hits into :class:`Finding` objects with the rule's title and default fix.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal

from redshift_optimizer.models.findings import Evidence, Severity

RuleScope = Literal["query", "table", "workload", "validation"]

#: The letter every code of a scope starts with (finding-codes.md).
SCOPE_LETTER: dict[str, str] = {"query": "Q", "table": "T", "workload": "C", "validation": "V"}

#: A rule module's name: its code in lower case and its name, e.g. ``t001_missing_sortkey``.
_MODULE = re.compile(r"^[qtcv]\d{3}_\w+$")


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
        letter = SCOPE_LETTER[self.scope]
        if not re.fullmatch(rf"{letter}\d{{3}}", self.code):
            raise ValueError(f"{self.code}: {self.scope} rules have {letter} codes ({letter}001, {letter}002, ...)")


def scan(package: str) -> list[Rule]:
    """The rules of one package of rules (``rules/query``, ``rules/table`` ...): the ``RULE``
    of every module named after its code (``q001_select_star.py``), in code order. Adding a
    rule is adding its module; nothing lists the modules by hand."""
    found: dict[str, Rule] = {}
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if not _MODULE.match(module.name):
            continue
        rule = getattr(importlib.import_module(f"{package}.{module.name}"), "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"{package}.{module.name} defines no RULE")
        if not module.name.startswith(rule.code.lower() + "_"):
            raise ValueError(f"{package}.{module.name} holds {rule.code}: a rule module is named after its code")
        if rule.code in found:
            raise ValueError(f"{rule.code} is defined twice in {package}")
        found[rule.code] = rule
    return [found[code] for code in sorted(found)]


def fact(kind: str, name: str, value: Any = None) -> Evidence:
    """Shorthand for one piece of evidence."""
    return Evidence(kind=kind, name=name, value=value)


__all__ = ["SCOPE_LETTER", "Documentation", "Hit", "Rule", "RuleScope", "fact", "scan"]
