"""What each module of the domain package may import, read from its source (every import,
at module level or inside a function), like the DAG integrity test reads the DAG files.

- Airflow: only the composition root (``runtime.py``) reads the task context, Variables and
  Airflow's exceptions. The adapters that wrap a provider hook (lake, notifications, model
  client, history table, warehouse connections) import that hook and nothing else of
  Airflow; ``assets.py`` declares the asset the DAG files share.
- The pipelines never import the composition root: they get what they need as arguments.
- boto3 only in the adapters and the history table (and the operator's command that
  publishes prompts, which runs outside Airflow); FastAPI nowhere in the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "redshift_optimizer"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)

#: module (relative to the package) -> the Airflow modules it may import (prefixes)
AIRFLOW_ALLOWED = {
    "runtime.py": ("airflow",),
    "assets.py": ("airflow.sdk",),
    "adapters/lake.py": ("airflow.providers.amazon.aws.hooks.",),
    "adapters/notifications.py": ("airflow.providers.amazon.aws.hooks.",),
    "adapters/bedrock.py": ("airflow.providers.amazon.aws.hooks.",),
    "history/dynamodb.py": ("airflow.providers.amazon.aws.hooks.",),
    "warehouse/connections.py": ("airflow.providers.", "airflow.sdk"),
    # the dags folder, to find include/ shipped inside it on MWAA (the settings' owner moves it)
    "settings.py": ("airflow.configuration",),
}
BOTO3_ALLOWED = ("adapters/", "history/", "prompt_publishing.py")


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_the_package_has_modules():
    assert len(MODULES) > 50 and (PACKAGE / "runtime.py") in MODULES


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_module_imports_stay_in_their_layer(path):
    name = rel(path)
    imports = imported_modules(path)
    allowed = AIRFLOW_ALLOWED.get(name, ())
    airflow = [m for m in imports if m == "airflow" or m.startswith("airflow.")]
    assert all(m.startswith(allowed) for m in airflow) if allowed else not airflow, (
        f"{name} imports {sorted(set(airflow))}: only runtime.py reads Airflow's context; adapters import "
        "their provider hook")
    if name.startswith("pipelines/"):
        assert not [m for m in imports if m.startswith("redshift_optimizer.runtime")], \
            f"{name} imports the composition root: take what it builds as arguments"
    if not name.startswith(BOTO3_ALLOWED):
        assert not [m for m in imports if m == "boto3" or m.startswith(("boto3.", "botocore"))], \
            f"{name} imports boto3: only the adapters and the history table talk to AWS"
    assert not [m for m in imports if m == "fastapi" or m.startswith("fastapi.")], f"{name} imports FastAPI"


def test_the_checker_sees_function_level_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from airflow.sdk import Variable\n    import boto3\n")
    assert {"airflow.sdk", "airflow.sdk.Variable", "boto3"} <= set(imported_modules(module))
