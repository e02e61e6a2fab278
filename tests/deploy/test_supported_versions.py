"""requirements.txt installs under the constraints of every supported MWAA image, on MWAA's
Python (3.12): ``pip install --dry-run`` resolves, and what it would install is what the
image pins. The constraint files are deploy/mwaa/ (copied from the MWAA images' repository)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from deploy.bundle import SUPPORTED_MWAA_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
MWAA = ROOT / "deploy" / "mwaa"
PYTHON312 = ROOT / ".venv-mwaa" / "bin" / "python"  # made by `make venv-mwaa` (and `make test`)
OURS = ("apache-airflow", "apache-airflow-providers-amazon", "apache-airflow-providers-postgres",
        "apache-airflow-providers-common-sql", "apache-airflow-providers-standard", "pydantic",
        "pydantic-settings", "sqlglot")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line)
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


@pytest.mark.parametrize("version", SUPPORTED_MWAA_VERSIONS)
def test_requirements_resolve_under_the_mwaa_constraints(version, tmp_path):
    assert PYTHON312.exists(), "no .venv-mwaa: run `make venv-mwaa` (Python 3.12, as on MWAA)"
    report = tmp_path / "report.json"
    constraints = [MWAA / f"constraints-{version}.txt", MWAA / f"essential-constraints-{version}.txt"]
    command = [str(PYTHON312), "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
               "--report", str(report), "-r", str(ROOT / "requirements.txt")]
    for path in constraints:
        command += ["-c", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    chosen = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
              for item in json.loads(report.read_text())["install"]}
    pinned = {**pins(constraints[0]), **pins(constraints[1])}
    assert chosen["apache-airflow"] == version
    for name in OURS:
        assert name in chosen, f"{name} would not be installed"
        if name in pinned:
            assert chosen[name] == pinned[name], f"{name}: {chosen[name]} instead of the image's {pinned[name]}"
    assert "sqlglotc" in chosen, "the compiled sqlglot extra (sqlglot[c]) resolves"
    if version == "3.3.1":
        assert chosen["sqlglot"] == "30.15.0"


def test_the_dev_pins_are_inside_the_supported_ranges():
    """requirements-dev.txt (the newest releases) satisfies requirements.txt's ranges."""
    from packaging.requirements import Requirement

    dev = pins(ROOT / "requirements-dev.txt")
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith(("#", "-")):
            requirement = Requirement(line)
            name = requirement.name.lower()
            assert name in dev, f"{name} is not pinned in requirements-dev.txt"
            assert requirement.specifier.contains(dev[name]), f"{name}=={dev[name]} is outside {requirement.specifier}"
