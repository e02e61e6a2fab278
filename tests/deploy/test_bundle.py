"""``make dist`` builds a bundle that loads the way MWAA loads it.

MWAA copies the ``dags/`` prefix of its source bucket to ``$AIRFLOW_HOME/dags`` and unzips
``plugins.zip`` into ``$AIRFLOW_HOME/plugins``, which Airflow puts on ``sys.path``; the
bundle is unpacked the same way into an empty folder, and every DAG is loaded in a fresh
interpreter from which the project checkout (and its editable install) is removed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy.bundle import SUPPORTED_MWAA_VERSIONS, build, constraint_line

ROOT = Path(__file__).resolve().parents[2]
DAG_IDS = sorted(p.stem for p in (ROOT / "dags").glob("*.py"))

# Runs inside $AIRFLOW_HOME with nothing of the checkout importable.
LOADER = r"""
import json, sys, time
checkout = sys.argv[1]
def in_checkout(path):  # the virtualenv may live inside the checkout: it is not the project
    return path.startswith(checkout) and not path.startswith(sys.prefix)
sys.path[:] = [p for p in sys.path if p and not in_checkout(p)]
from airflow import plugins_manager
from airflow.configuration import conf
from airflow.dag_processing.dagbag import DagBag
plugins_manager.ensure_plugins_loaded()
started = time.perf_counter()
bag = DagBag(dag_folder=conf.get("core", "dags_folder"))
parse_seconds = time.perf_counter() - started
import redshift_optimizer
from redshift_optimizer.agents.prompts import load_project_prompts
from redshift_optimizer.resources import load_sql
from redshift_optimizer.settings import load_settings
include = load_settings().resolved_include_dir()
print(json.dumps({
    "import_errors": {k: str(v)[-800:] for k, v in bag.import_errors.items()},
    "plugin_import_errors": {k: str(v)[-800:] for k, v in plugins_manager.get_import_errors().items()},
    "dag_ids": sorted(bag.dags), "parse_seconds": parse_seconds,
    "package": redshift_optimizer.__file__, "include": str(include),
    "sql": bool(load_sql(include, "redshift", "slow_queries")),
    "prompts": load_project_prompts(include, "v1").version,
    "checkout_modules": sorted(n for n, m in sys.modules.items()
                               if in_checkout(getattr(m, "__file__", None) or "")),
}))
"""


def unpack_as_mwaa(dist: dict[str, Path], home: Path) -> None:
    shutil.copytree(dist["dags"], home / "dags")
    with zipfile.ZipFile(dist["plugins"]) as archive:
        archive.extractall(home / "plugins")


def test_the_bundle_holds_what_mwaa_takes(tmp_path):
    dist = build(tmp_path / "dist", "3.3.1")
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["dags", "plugins.zip", "requirements.txt"]
    assert sorted(p.stem for p in dist["dags"].glob("*.py")) == DAG_IDS
    shipped = {p.relative_to(dist["dags"] / "include").as_posix() for p in (dist["dags"] / "include").rglob("*")
               if p.is_file()}
    assert shipped == {p.relative_to(ROOT / "include").as_posix() for p in (ROOT / "include").rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts}
    with zipfile.ZipFile(dist["plugins"]) as archive:
        names = archive.namelist()
    assert ".airflowignore" in names and "redshift_optimizer/__init__.py" in names
    assert all(n == ".airflowignore" or n.startswith("redshift_optimizer/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    lines = dist["requirements"].read_text().splitlines()
    requirement_lines = [line for line in lines if line and not line.startswith("#")]
    assert requirement_lines[0] == ('--constraint "https://raw.githubusercontent.com/apache/airflow/'
                                    'constraints-3.3.1/constraints-3.12.txt"')
    project = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert requirement_lines[1:] == project


@pytest.mark.parametrize("version", SUPPORTED_MWAA_VERSIONS)
def test_the_constraint_line_names_the_version(version):
    assert constraint_line(version) == (f'--constraint "https://raw.githubusercontent.com/apache/airflow/'
                                        f'constraints-{version}/constraints-3.12.txt"')


def test_an_unsupported_version_is_refused(tmp_path):
    with pytest.raises(ValueError, match="MWAA_VERSION '2.10.3' is not supported"):
        build(tmp_path / "dist", "2.10.3")


def test_the_bundle_loads_every_dag_without_the_checkout(tmp_path):
    home = tmp_path / "airflow-home"
    unpack_as_mwaa(build(tmp_path / "dist", "3.3.1"), home)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "AIRFLOW_HOME": str(home),
           "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"), "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    result = subprocess.run([sys.executable, "-c", LOADER, str(ROOT)], cwd=home, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"bundle: {len(report['dag_ids'])} DAGs parsed in {report['parse_seconds']:.2f} s "
          f"(Python {sys.version_info.major}.{sys.version_info.minor})")
    assert report["import_errors"] == {}
    assert report["plugin_import_errors"] == {}
    assert report["dag_ids"] == DAG_IDS
    assert report["package"].startswith(str(home / "plugins" / "redshift_optimizer"))
    assert report["include"] == str(home / "dags" / "include")
    assert report["sql"] and report["prompts"] == "v1"
    assert report["checkout_modules"] == []
