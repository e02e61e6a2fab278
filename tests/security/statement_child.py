"""A task process for the SIGTERM tests: runs one long statement until it is cancelled, then
tries another. Run as ``python -m tests.security.statement_child <conn_id> <include_dir>
<statement> <params JSON> <handler>``; prints what happened, one line each, on stdout.

``handler``: ``task-sdk`` installs, before the statement runs, a SIGTERM handler like the one
``airflow.sdk.execution_time.task_runner`` installs before a task executes (it calls the
operator's ``on_kill`` and returns); ``default`` leaves SIGTERM's default.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path


def main(conn_id: str, include_dir: str, statement: str, params: str, handler: str) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(levelname)s %(message)s")
    from airflow.providers.standard.operators.python import PythonOperator

    from redshift_optimizer.warehouse import StatementCancelled, warehouse_from_connection

    if handler == "task-sdk":
        task = PythonOperator(task_id="statement", python_callable=lambda: None)

        def _on_term(signum, frame):
            task.on_kill()
            print("the Task SDK's handler ran on_kill", flush=True)

        signal.signal(signal.SIGTERM, _on_term)
    warehouse = warehouse_from_connection(conn_id, Path(include_dir))
    try:
        warehouse.run(statement, json.loads(params))
        print("finished without a cancel", flush=True)
    except StatementCancelled as exc:
        print(f"cancelled: {exc}", flush=True)
    try:
        warehouse.query("SELECT 1 AS one")
        print("a later statement ran", flush=True)
    except StatementCancelled as exc:
        print(f"refused: {exc}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
