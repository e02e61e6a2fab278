"""What the analyzer reports: findings with evidence, rewrites with their verification level.

These models are what the agents, the history and the API carry; the command line's JSON is
their serialization. Codes are the stable catalogue of shared/docs/finding-codes.md.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Severity(str, Enum):
    """How much a finding costs; ordered LOW < MEDIUM < HIGH < CRITICAL."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self.value]

    # str's own comparisons would order alphabetically: compare by rank instead.
    def __lt__(self, other: object) -> bool:
        return self.rank < other.rank if isinstance(other, Severity) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= other.rank if isinstance(other, Severity) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > other.rank if isinstance(other, Severity) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= other.rank if isinstance(other, Severity) else NotImplemented

    __hash__ = str.__hash__

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """A severity from its name, any case; ValueError names the choices."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r}; expected one of {', '.join(s.value for s in cls)}"
            ) from None


_SEVERITY_RANK = {"LOW": 0, "MEDIUM": 1, "HIGH": 2, "CRITICAL": 3}

EvidenceKind = Literal["table", "column", "metric", "fragment", "setting", "query", "count"]


class Evidence(BaseModel):
    """One fact a finding rests on: a table, a column, a metric and its value, a fragment."""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind
    name: str
    value: Any = None


class Finding(BaseModel):
    """One problem found in a query, a table or the workload, with its evidence and fix."""

    code: str = Field(pattern=r"^[QTCV]\d{3}$")
    severity: Severity
    title: str
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    fix: str
    table: str | None = Field(None, description="schema-qualified when the finding concerns a table")
    column: str | None = None
    query_hash: str | None = None
    line: int | None = Field(None, description="1-based line of the offending fragment")
    col: int | None = Field(None, description="1-based column of the offending fragment")
    saving: dict[str, float] | None = Field(
        None, description="estimated saving (seconds_per_day, money_per_day) where inputs allow"
    )


class Verification(str, Enum):
    """How far a rewrite was checked; each level implies the ones before it.

    ``equivalent``: the same rows as the original on the warehouse's data. ``adversarial``:
    also the same rows on data generated to break rewrites (NULLs where the snapshot allows
    them, duplicates, empty tables, boundary numbers and dates) in the local PostgreSQL engine.
    Values are only ever added (documents in the lake and the history keep old ones)."""

    NONE = "none"
    PARSED = "parsed"
    SIGNATURE = "signature"
    EXPLAINED = "explained"
    EQUIVALENT = "equivalent"
    ADVERSARIAL = "adversarial"

    @property
    def rank(self) -> int:
        return list(Verification).index(self)


class PlanCost(BaseModel):
    """What a rewrite costs against the original, and which cost model judged it."""

    model: str = Field(description="the judge: 'redshift plan' / 'postgres plan' (EXPLAIN's estimated cost), "
                                   "or 'redshift zone maps (rule)' where no plan can see the gain")
    original: float | None = Field(None, description="EXPLAIN's estimated total cost of the original")
    rewrite: float | None = Field(None, description="EXPLAIN's estimated total cost of the rewrite")
    gain_pct: float | None = Field(None, description="plan cost saved, in percent of the original; "
                                                     "None where the model claims no measured gain")
    original_ms: float | None = Field(None, description="measured run time of the original, when it was run")
    rewrite_ms: float | None = Field(None, description="measured run time of the rewrite, when it was run")
    note: str | None = None


class Rewrite(BaseModel):
    """One semantics-preserving transformation applied to the query."""

    name: str
    code: str | None = Field(None, description="the finding code it fixes, if any")
    description: str
    verification: Verification | None = Field(None, description="the rung this transformation reached on its own")
    cost: PlanCost | None = Field(None, description="its cost against the query before it, with a warehouse")


class NotAnalysed(BaseModel):
    """A statement the rules could not read: the parser kept it only as an opaque command (or
    knows no part of its syntax). Its 0 findings mean nothing was checked, not that it is fine."""

    statement: int = Field(description="1-based position of the statement in the text")
    line: int | None = None
    col: int | None = None
    kind: str = Field(description="the statement's first keyword, e.g. PREPARE, CREATE")
    reason: str


class AnalysisResult(BaseModel):
    """The rule engine's verdict on one query."""

    query_hash: str
    findings: list[Finding] = Field(default_factory=list)
    not_analysed: list[NotAnalysed] = Field(
        default_factory=list, description="statements no rule could read, with the reason")
    optimized_query: str | None = None
    rewrites: list[Rewrite] = Field(default_factory=list)
    verification: Verification = Verification.NONE
    verification_notes: list[str] = Field(default_factory=list)
    cost: PlanCost | None = Field(None, description="the rewrite against the original, with a warehouse")
    engine: Literal["rules"] = "rules"
    rules_version: str

    @property
    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


class SchemaReview(BaseModel):
    """Table findings (T codes) and workload findings (C codes) of one schema snapshot."""

    schema_version: str | None = None
    table_findings: list[Finding] = Field(default_factory=list)
    workload_findings: list[Finding] = Field(default_factory=list)
    rules_version: str
    engine: Literal["rules"] = "rules"

    @property
    def findings(self) -> list[Finding]:
        return [*self.table_findings, *self.workload_findings]


__all__ = [
    "AnalysisResult",
    "Evidence",
    "EvidenceKind",
    "Finding",
    "NotAnalysed",
    "PlanCost",
    "Rewrite",
    "SchemaReview",
    "Severity",
    "Verification",
]
