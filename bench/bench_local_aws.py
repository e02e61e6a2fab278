"""Local AWS endpoint benchmark: how long the journal's replay takes after a kill, for a lake
the size of a busy local stack (1,743 objects, 122 history items), and what journaling costs
per write. Prints figures; not a test.

    .venv/bin/python bench/bench_local_aws.py [--objects 1743] [--items 122]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

import boto3  # noqa: E402

from local import services  # noqa: E402

BUCKET = "redshift-optimizer-metadata"


def _lake(url: str, objects: int, items: int) -> float:
    """Write the lake; returns seconds per object written."""
    s3 = boto3.client("s3", endpoint_url=url, region_name=services.REGION,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    dynamodb = boto3.client("dynamodb", endpoint_url=url, region_name=services.REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    started = time.perf_counter()
    for n in range(objects):
        # mostly small recommendation and run objects, every 50th a schema snapshot or profile
        size = 200_000 if n % 50 == 0 else 4_000
        s3.put_object(Bucket=BUCKET, Key=f"recommendations/2026/11/{n % 28 + 1:02d}/{n:016x}.json",
                      Body=(b'{"x": "' + b"a" * size + b'"}'))
    per_object = (time.perf_counter() - started) / objects
    for n in range(items):
        dynamodb.put_item(TableName=services.HISTORY_TABLE, Item={
            "query_hash": {"S": f"{n:016x}"}, "analysis_timestamp": {"S": "2026-11-01T00:00:00Z"},
            "result": {"S": "r" * 4_000}})
    return per_object


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1_743)
    parser.add_argument("--items", type=int, default=122)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    for journal in (None, folder / "journal.jsonl"):
        server = services.MotoServer(services.free_port(), folder / "aws.log", journal=journal).start()
        try:
            services.provision_aws(server.url, BUCKET, [services.ALERTS_TOPIC], services.HISTORY_TABLE)
            per_object = _lake(server.url, args.objects, args.items)
            label = "journaled" if journal else "in memory"
            print(f"put_object ({label}):   {per_object * 1000:6.2f} ms per object")
            if journal is None:
                continue
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait()
            started = time.perf_counter()
            server.start()
            print(f"restart after SIGKILL: {time.perf_counter() - started:6.2f} s for {args.objects:,} objects and "
                  f"{args.items} items (journal {journal.stat().st_size / 1e6:,.1f} MB)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
