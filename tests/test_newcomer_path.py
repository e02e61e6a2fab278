"""The newcomer path: `make run` from the checkout brings the stack up, the metadata refresh
succeeds according to Airflow's REST API, the lake objects are in S3, a killed local AWS
endpoint comes back with them, and Ctrl-C stops everything it started."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import boto3
import psutil
import pytest

from local import services

pytestmark = [pytest.mark.smoke, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parent.parent
BANNER = "Redshift Query Optimizer, local stack"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _api(base: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def state_dir():
    """The stack's state under the checkout's `.local/` (as `make run` keeps it), not the
    system temp dir: the embedded PostgreSQL's server process must reach it whatever another
    pytest run does to its own temp base."""
    path = ROOT / ".local" / f"smoke-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_make_run_brings_up_the_stack_and_the_refresh_succeeds(state_dir):
    ports = {"POSTGRES_PORT": services.free_port(), "AWS_PORT": services.free_port(),
             "AIRFLOW_PORT": services.free_port(), "API_PORT": services.free_port()}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AWS_"))},
           "STATE_DIR": str(state_dir / "state"), "DEMO_SCALE": "0.02",
           **{k: str(v) for k, v in ports.items()}}
    log_path = state_dir / "make-run.log"
    with open(log_path, "wb") as log:
        # Two fingerprints (eight mapped agents) prove the optimization as well as the default ten.
        stack = subprocess.Popen(["make", "run", "ARGS=--top-queries 2"], cwd=ROOT, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 1200
        while BANNER not in log_path.read_text(errors="replace"):
            assert stack.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the stack did not come up in time"
            time.sleep(3)
        output = log_path.read_text(errors="replace")
        assert "metadata refresh    success" in output, output[-3000:]
        assert "query optimization  success" in output, output[-3000:]
        analysed = re.search(r"optimization of \S+: (\d+) fingerprint\(s\), (\d+) agent result\(s\)", output)
        assert analysed, output[-3000:]
        assert 1 <= int(analysed[1]) <= 2 and int(analysed[2]) == 4 * int(analysed[1]), analysed[0]

        # Airflow's REST API agrees.
        base = f"http://127.0.0.1:{ports['AIRFLOW_PORT']}"
        token = _api(base, "/auth/token", body={"username": "admin", "password": "admin"})["access_token"]
        runs = _api(base, "/api/v2/dags/redshift_metadata_refresh/dagRuns", token)["dag_runs"]
        assert any(r["state"] == "success" and r["conf"].get("run_date") for r in runs)
        dag = _api(base, "/api/v2/dags/redshift_metadata_refresh", token)
        assert dag["is_paused"] is False

        # The optimizer's API and page answer.
        api = f"http://127.0.0.1:{ports['API_PORT']}"
        assert _api(api, "/health")
        with urllib.request.urlopen(f"{api}/", timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read().lower()

        # The lake objects are in S3, through the local AWS endpoint.
        today = datetime.now(timezone.utc).date()
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{ports['AWS_PORT']}",
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="us-east-1")
        listing = s3.list_objects_v2(Bucket="redshift-optimizer-metadata")
        stored = {o["Key"] for o in listing.get("Contents", [])}
        assert {
            "metadata/schema/schema.json",
            f"metadata/schema/schema-{today:%Y%m%d}.json",
            f"metadata/data_profile/profile-{today:%Y%m%d}.json",
            f"metadata/query_history/{today:%Y/%m/%d}/slow_queries.json",
        } <= stored
        slow = json.loads(s3.get_object(Bucket="redshift-optimizer-metadata",
                                        Key=f"metadata/query_history/{today:%Y/%m/%d}/slow_queries.json")["Body"].read())
        assert slow["queries"], "the demo workload shows up as slow queries"

        # Killing the local AWS endpoint loses nothing: the stack restarts it with its data.
        listener = next(c.pid for c in psutil.net_connections("tcp")
                        if c.status == psutil.CONN_LISTEN and c.laddr.port == ports["AWS_PORT"])
        os.kill(listener, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while "the local AWS endpoint (moto) is running again" not in log_path.read_text(errors="replace"):
            assert stack.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the stack did not restart the local AWS endpoint"
            time.sleep(1)
        again = s3.list_objects_v2(Bucket="redshift-optimizer-metadata")
        assert {o["Key"] for o in again.get("Contents", [])} == stored
        assert json.loads(s3.get_object(Bucket="redshift-optimizer-metadata",
                                        Key=f"metadata/query_history/{today:%Y/%m/%d}/slow_queries.json")["Body"].read()) == slow
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGINT)
        stack.wait(180)

    # Ctrl-C stopped everything it started (servers may take a moment to close their ports).
    deadline = time.monotonic() + 30
    while any(_port_open(p) for p in ports.values()) and time.monotonic() < deadline:
        time.sleep(1)
    for name, port in ports.items():
        assert not _port_open(port), f"{name} {port} still open after Ctrl-C"
    assert "stopping" in log_path.read_text(errors="replace")
