"""Rebuild the corpus snapshots from AWS's DDL: ``python -m tests.corpus.build``."""

from __future__ import annotations

import json

from tests.corpus.corpus import HERE, build_snapshot

SNAPSHOTS = {"tpcds": "tpcds-3tb", "tpch": "tpch-3tb", "unseen/ssb": "ssb-sf100",
             "unseen/querypatterns": "tpch-sf100-querypatterns", "unseen/immersionday": "tpch-immersionday"}


def main() -> None:
    for folder, version in SNAPSHOTS.items():
        snap = build_snapshot(HERE / folder / "ddl.sql", version)
        path = HERE / folder / "snapshot.json"
        path.write_text(json.dumps(snap.model_dump(mode="json", exclude_none=True), indent=1) + "\n")
        print(f"{path.relative_to(HERE)}: {len(snap.tables)} tables")


if __name__ == "__main__":
    main()
