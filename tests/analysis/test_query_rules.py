"""Per-rule cases (cases/Qnnn.yaml): each `fire` case must report the rule, each `pass`
case must not. Cases use the synthetic snapshot unless they say `snapshot: false`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redshift_optimizer.analysis import analyze
from redshift_optimizer.rules.catalogue import rules

CASES = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES.glob("Q*.yaml")):
        spec = yaml.safe_load(path.read_text())
        for kind in ("fire", "pass"):
            for case in spec.get(kind) or []:
                yield pytest.param(spec["rule"], kind, case, id=f"{spec['rule']}-{kind}-{case['name']}")


def test_every_query_rule_has_cases():
    covered = {p.stem for p in CASES.glob("Q*.yaml")}
    assert covered == {r.code for r in rules("query")}
    for path in CASES.glob("Q*.yaml"):
        spec = yaml.safe_load(path.read_text())
        assert spec.get("fire") and spec.get("pass"), path.name


@pytest.mark.parametrize(("code", "kind", "case"), list(_cases()))
def test_rule_case(code, kind, case, snapshot):
    result = analyze(case["sql"], snapshot=snapshot if case.get("snapshot", True) else None)
    found = [f for f in result.findings if f.code == code]
    if kind == "pass":
        assert not found, [f.message for f in found]
        return
    assert found, f"{code} did not fire; got {[f.code for f in result.findings]}"
    if "severity" in case:
        assert found[0].severity.value == case["severity"], found[0].message
    for finding in found:
        assert finding.message and finding.fix and finding.evidence
        assert finding.line is not None and finding.col is not None
