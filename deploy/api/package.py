"""``make dist-api``: the API's Lambda package, dist-api/api-lambda.zip (Python 3.12, x86_64).

    python -m deploy.api.package --output dist-api

The zip holds the handler (``lambda_handler.handler``), ``api/``, the ``redshift_optimizer``
package, and the wheels of deploy/api/requirements.txt for Lambda's platform, installed by
pip (binary wheels only, manylinux x86_64, CPython 3.12). Upload it and name its key in
api.yaml's ``CodeKey``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PLATFORM = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.12",
            "--only-binary=:all:")



def _add_tree(archive: zipfile.ZipFile, folder: Path, base: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.endswith(("__pycache__", ".pyc")) for part in path.parts):
            archive.write(path, path.relative_to(base).as_posix())


def build(output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    target = output / "api-lambda.zip"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(site), *PLATFORM,
                        "-r", str(HERE / "requirements.txt")], check=True)
        shutil.rmtree(site / "bin", ignore_errors=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(HERE / "lambda_handler.py", "lambda_handler.py")
            _add_tree(archive, ROOT / "api", ROOT)
            _add_tree(archive, ROOT / "plugins" / "redshift_optimizer", ROOT / "plugins")
            _add_tree(archive, site, site)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.api.package", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist-api")
    args = parser.parse_args(argv)
    target = build(args.output)
    print(f"{target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
