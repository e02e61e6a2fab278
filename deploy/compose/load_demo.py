"""The Compose stack's one-shot ``warehouse-loader``: the demo TPC-H warehouse with its
Redshift catalog views in the ``warehouse`` PostgreSQL container, then one pass of the demo
workload (what ``make run`` does with the embedded PostgreSQL).

    python deploy/compose/load_demo.py postgresql://postgres@warehouse:5432 [--scale 0.2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from local import services  # noqa: E402
from local.postgres import LocalPostgres  # noqa: E402


class ContainerPostgres:
    """The two things ``services.prepare_warehouse`` asks of a server, for a server it did not start."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def dsn(self, database: str = "postgres") -> str:
        return f"{self.url}/{database}"

    # LocalPostgres's own, which only needs dsn()
    ensure_database = LocalPostgres.ensure_database


def wait_for(server: ContainerPostgres, seconds: float = 120) -> None:
    import psycopg2

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg2.connect(server.dsn()).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise SystemExit(f"PostgreSQL at {server.url} did not answer within {seconds:.0f} s") from None
            time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="server URL without a database, e.g. postgresql://postgres@warehouse:5432")
    parser.add_argument("--scale", type=float, default=0.2)
    args = parser.parse_args()
    server = ContainerPostgres(args.url)
    wait_for(server)
    dsn = services.prepare_warehouse(server)
    services.load_demo(dsn, args.scale, repetitions=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
