"""``make dist``: the release bundle, exactly what Amazon MWAA takes from its source bucket.

    dist/
      dags/                 the DAG files, with include/ (SQL and prompts) inside: MWAA syncs
        include/            only the dags/ prefix and plugins.zip, and the package finds
        .airflowignore      <dags_folder>/include on its own (Settings.resolved_include_dir)
      plugins.zip           redshift_optimizer/ and the .airflowignore that keeps Airflow from
                            scanning the package's files as plugins
      requirements.txt      the --constraint line of the MWAA version, then requirements.txt

No startup script: nothing has to run before Airflow starts (the pool, the Variable and the
warehouse connection are created through the Airflow REST API by deploy/cloudformation/mwaa.yaml).

    python -m deploy.bundle --mwaa-version 3.3.1 --output dist
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_MWAA_VERSIONS = ("3.0.6", "3.2.1", "3.3.1")
MWAA_PYTHON = "3.12"
# The form MWAA's documentation gives for the constraint line of requirements.txt.
CONSTRAINT_URL = "https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-{python}.txt"
_SKIP = ("__pycache__", ".pyc", ".pyo")


def constraint_line(mwaa_version: str) -> str:
    return f'--constraint "{CONSTRAINT_URL.format(airflow=mwaa_version, python=MWAA_PYTHON)}"'


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.endswith(_SKIP) for part in path.parts):
            yield path


def requirements(mwaa_version: str) -> str:
    """requirements.txt for MWAA: the constraint line first, then the project's requirements."""
    lines = [line.rstrip() for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    kept = [line for line in lines if line and not line.lstrip().startswith("#")]
    return "\n".join([f"# redshift-optimizer for Amazon MWAA {mwaa_version} (Python {MWAA_PYTHON})",
                      constraint_line(mwaa_version), *kept]) + "\n"


def build(output: Path, mwaa_version: str) -> dict[str, Path]:
    """Write the bundle into ``output`` (emptied first); returns its three parts."""
    if mwaa_version not in SUPPORTED_MWAA_VERSIONS:
        raise ValueError(f"MWAA_VERSION {mwaa_version!r} is not supported; choose one of "
                         f"{', '.join(SUPPORTED_MWAA_VERSIONS)}")
    if output.exists():
        shutil.rmtree(output)
    dags = output / "dags"
    dags.mkdir(parents=True)
    for dag_file in sorted((ROOT / "dags").glob("*.py")):
        shutil.copy2(dag_file, dags / dag_file.name)
    shutil.copytree(ROOT / "include", dags / "include", ignore=shutil.ignore_patterns(*_SKIP))
    # include/ holds no DAGs: the DAG processor need not walk it.
    (dags / ".airflowignore").write_text("include/\n", encoding="utf-8")

    plugins_zip = output / "plugins.zip"
    plugins = ROOT / "plugins"
    with zipfile.ZipFile(plugins_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plugins / ".airflowignore", ".airflowignore")
        for path in _files(plugins / "redshift_optimizer"):
            archive.write(path, path.relative_to(plugins).as_posix())

    reqs = output / "requirements.txt"
    reqs.write_text(requirements(mwaa_version), encoding="utf-8")
    return {"dags": dags, "plugins": plugins_zip, "requirements": reqs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mwaa-version", default=SUPPORTED_MWAA_VERSIONS[-1],
                        help=f"MWAA image ({', '.join(SUPPORTED_MWAA_VERSIONS)}; default the newest)")
    parser.add_argument("--output", type=Path, default=ROOT / "dist", help="folder to (re)write (default dist/)")
    args = parser.parse_args(argv)
    try:
        parts = build(args.output, args.mwaa_version)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    for name, path in parts.items():
        print(f"{name:<13} {path}")
    print(f"upload: aws s3 sync {args.output}/dags s3://<source-bucket>/dags --delete; "
          f"aws s3 cp {parts['plugins']} s3://<source-bucket>/plugins.zip; "
          f"aws s3 cp {parts['requirements']} s3://<source-bucket>/requirements.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
