"""A statement the task can no longer use is cancelled in the warehouse, not left running
there: when the task process gets SIGTERM (how Airflow 3 kills a task) and when the code
running it raises (the task's execution_timeout, Ctrl-C). Checked on the real local
warehouse (pg_stat_activity) and on the local AWS endpoint's Data API (DescribeStatement)."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from airflow.sdk.exceptions import AirflowTaskTimeout
from airflow.sdk.execution_time.timeout import timeout

from redshift_optimizer.settings import load_settings
from redshift_optimizer.warehouse import warehouse_from_connection
from redshift_optimizer.warehouse.inflight import running, stopping
from tests.security.drivers import HookWithoutCancel

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
SLEEP = "sql/postgres/test_sleep.sql"
GONE_WITHIN_S = 20  # a cancelled statement leaves pg_stat_activity at once; a left one sleeps 600 s
LOGGER = "redshift_optimizer.warehouse"


@pytest.fixture()
def include_with_sleep(tmp_path):
    """The product's include/ plus one test-only statement, ``test_sleep`` (pg_sleep)."""
    include = load_settings().resolved_include_dir()
    root = tmp_path / "include"
    (root / "sql" / "postgres").mkdir(parents=True)
    (root / "sql" / "redshift").symlink_to(include / "sql" / "redshift")
    for path in (include / "sql" / "postgres").glob("*.sql"):
        (root / "sql" / "postgres" / path.name).symlink_to(path)
    (root / "sql" / "postgres" / "test_sleep.sql").write_text(
        "-- Test only: a statement that runs until it is cancelled.\nSELECT pg_sleep(:seconds) AS slept\n")
    return root


def _active(pg, pid: int) -> list[str]:
    with pg.cursor() as cur:
        cur.execute("SELECT query FROM pg_stat_activity WHERE pid = %s AND state = 'active'", (pid,))
        return [row[0] for row in cur.fetchall()]


def _eventually(condition, seconds: float = GONE_WITHIN_S) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _pid_of(text: str, name: str) -> int:
    match = re.search(rf"running {re.escape(name)} on \S+ \(backend pid (\d+)\) …", text)
    assert match, text
    return int(match.group(1))


def test_every_statement_is_logged_with_its_file_pid_duration_and_rows(demo_warehouse, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    pid = demo_warehouse.query("SELECT pg_backend_pid() AS pid")[0]["pid"]
    rows = demo_warehouse.run("catalog_tables", {"schemas": "tpch"})
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert f"running sql/redshift/catalog_tables.sql on redshift_default (backend pid {pid}) …" in lines
    finished = [line for line in lines if line.startswith("finished sql/redshift/catalog_tables.sql")]
    assert len(finished) == 1 and len(rows) == 8
    assert re.fullmatch(rf"finished sql/redshift/catalog_tables\.sql on redshift_default \(backend pid {pid}\) "
                        r"in \d+\.\d\d s: 8 rows", finished[0]), finished
    assert re.fullmatch(r"running inline SELECT statement \(sha1 [0-9a-f]{10}\) on redshift_default "
                        rf"\(backend pid {pid}\) …", lines[0]), lines[0]
    assert "pg_backend_pid" not in caplog.text, "an inline statement is named, its text is not logged"
    assert running() == []


def test_a_refused_statement_is_logged_without_the_warehouses_words(demo_warehouse, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    with pytest.raises(Exception):
        demo_warehouse.query("SELECT 'do-not-echo-7f1c'::int AS n")
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert re.fullmatch(r"failed inline SELECT statement \(sha1 [0-9a-f]{10}\) on redshift_default "
                        r"\(backend pid \d+\) after \d+\.\d\d s: other error \(SQLSTATE 22P02\)", lines[-1]), lines
    assert "do-not-echo" not in "\n".join(lines)


@pytest.mark.parametrize("cancel", ["cancel request", "second session"])
def test_a_statement_whose_code_raises_is_cancelled_in_the_warehouse(warehouse_connection, include_with_sleep, pg,
                                                                     caplog, cancel):
    caplog.set_level(logging.INFO, logger=LOGGER)
    warehouse = warehouse_from_connection(warehouse_connection, include_with_sleep)
    if cancel == "second session":  # like redshift_connector: pg_cancel_backend from another session
        warehouse.hook = HookWithoutCancel(warehouse.hook)
    try:
        with pytest.raises(AirflowTaskTimeout):
            with timeout(2):  # the task's execution_timeout: SIGALRM raises inside the waiting driver
                warehouse.run("test_sleep", {"seconds": 600})
        pid = _pid_of(caplog.text, SLEEP)
        assert _eventually(lambda: not _active(pg, pid)), "the sleep still runs in the warehouse"
        assert (f"cancelling {SLEEP} on redshift_default (backend pid {pid}) in the warehouse: "
                "AirflowTaskTimeout was raised while it ran") in caplog.text
        assert re.search(rf"failed {re.escape(SLEEP)} on redshift_default \(backend pid {pid}\) after \d+\.\d\d s: "
                         "AirflowTaskTimeout; cancelled in the warehouse", caplog.text), caplog.text
        assert warehouse.query("SELECT 1 AS one") == [{"one": 1}], "a new session serves the next statement"
    finally:
        warehouse.close()
    assert running() == [] and stopping() is None


def _start_child(conn_id: str, include: Path, statement: str, params: dict, handler: str):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-u", "-m", "tests.security.statement_child", conn_id, str(include), statement,
         json.dumps(params), handler],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in child.stdout:
            lines.put(line)
        lines.put(None)  # end of output

    threading.Thread(target=read, daemon=True).start()
    return child, lines


def _wait_for_line(lines: queue.Queue, child, fragment: str, seconds: float = 120) -> str:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if child.poll() is not None:
                break
            continue
        if line is None:
            break
        seen.append(line)
        if fragment in line:
            return line
    child.kill()
    pytest.fail(f"no line with {fragment!r}; stdout: {''.join(seen)}; stderr: {child.stderr.read()}")


def _rest(child, lines: queue.Queue) -> tuple[str, str]:
    """The child's remaining stdout and its stderr, once it has ended."""
    rest = []
    while (line := lines.get(timeout=120)) is not None:
        rest.append(line)
    child.wait(timeout=60)
    return "".join(rest), child.stderr.read()


@pytest.mark.parametrize("handler", ["task-sdk", "default"])
def test_sigterm_cancels_the_running_statement_and_refuses_the_next(warehouse_connection, include_with_sleep, pg,
                                                                     handler):
    child, lines = _start_child(warehouse_connection, include_with_sleep, "test_sleep", {"seconds": 600}, handler)
    started = _wait_for_line(lines, child, f"running {SLEEP}")
    pid = _pid_of(started, SLEEP)
    assert _eventually(lambda: bool(_active(pg, pid)), 30), "the sleep runs before the signal"
    child.send_signal(signal.SIGTERM)
    out, err = _rest(child, lines)
    assert _eventually(lambda: not _active(pg, pid)), "the sleep still runs in the warehouse"
    assert (f"cancelling {SLEEP} on redshift_default (backend pid {pid}) in the warehouse: "
            "the task process received SIGTERM") in out, out + err
    if handler == "task-sdk":  # the task goes on after the handler: the statement fails, the next is refused
        assert "the Task SDK's handler ran on_kill" in out
        assert f"cancelled: {SLEEP} on redshift_default (backend pid {pid}) cancelled in the warehouse: " \
               "the task process received SIGTERM" in out, out + err
        assert "refused: inline SELECT statement" in out and "not started: the task process received SIGTERM" in out
        assert "a later statement ran" not in out and child.returncode == 0, out + err
    else:  # the default would end the process at once, leaving the statement running: it ends through it
        assert "cancelled: the task process received SIGTERM" in out, out + err
        assert "refused: inline SELECT statement" in out, out + err


DATA_API = "redshift_data_local"


@pytest.fixture()
def data_api_connection(aws, monkeypatch):
    """A Data API connection (Serverless workgroup) on the local AWS endpoint, whose
    statements stay STARTED until cancelled: what a long statement looks like there."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{DATA_API.upper()}", json.dumps(
        {"conn_type": "aws", "extra": {"workgroup_name": "analytics-wg", "database": "dev"}}))
    return DATA_API


def _data_api_status(statement_id: str) -> str:
    import boto3

    return boto3.client("redshift-data").describe_statement(Id=statement_id)["Status"]


def _statement_id(text: str) -> str:
    match = re.search(r"running sql/redshift/catalog_tables\.sql on redshift_data_local "
                      r"\(Data API statement ([0-9a-f-]+)\) …", text)
    assert match, text
    return match.group(1)


def test_a_data_api_statement_whose_code_raises_is_cancelled(data_api_connection, airflow_db, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    warehouse = warehouse_from_connection(data_api_connection, load_settings().resolved_include_dir(),
                                          poll_interval=0.2)
    assert warehouse.hook.conn is not None  # the client is made (slow the first time) before the clock starts
    with pytest.raises(AirflowTaskTimeout):
        with timeout(3):
            warehouse.run("catalog_tables", {"schemas": ""})
    statement_id = _statement_id(caplog.text)
    assert _data_api_status(statement_id) == "ABORTED"
    assert (f"cancelling sql/redshift/catalog_tables.sql on redshift_data_local (Data API statement {statement_id}) "
            "in the warehouse: AirflowTaskTimeout was raised while it ran") in caplog.text
    assert running() == [] and stopping() is None


def test_sigterm_cancels_a_running_data_api_statement(data_api_connection, airflow_db):
    child, lines = _start_child(data_api_connection, load_settings().resolved_include_dir(), "catalog_tables",
                                {"schemas": ""}, "task-sdk")
    statement_id = _statement_id(_wait_for_line(lines, child, "running sql/redshift/catalog_tables.sql"))
    assert _data_api_status(statement_id) == "STARTED"
    child.send_signal(signal.SIGTERM)
    out, err = _rest(child, lines)
    assert _data_api_status(statement_id) == "ABORTED", out + err
    assert f"cancelled: sql/redshift/catalog_tables.sql on redshift_data_local (Data API statement {statement_id}) " \
           "cancelled in the warehouse: the task process received SIGTERM" in out, out + err
    assert "refused: inline SELECT statement" in out and child.returncode == 0, out + err
