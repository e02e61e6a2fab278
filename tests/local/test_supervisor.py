"""The stack's supervisor: a child killed mid-run is started again (the local AWS endpoint
with its data), and one that keeps dying stops everything with a message naming it."""

from __future__ import annotations

import os
import signal
import sys
import time

import boto3

from local import services
from local.supervisor import Child, ProcessChild, Supervisor


def _until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_the_killed_aws_endpoint_is_restarted_with_its_data(tmp_path):
    messages: list[str] = []
    moto = services.MotoServer(services.free_port(), tmp_path / "aws.log", journal=tmp_path / "journal.jsonl")
    supervisor = Supervisor(messages.append, interval_s=0.2)
    supervisor.add(Child("the local AWS endpoint (moto)", moto.start, moto.alive, moto.stop, moto.log_file))
    supervisor.watch()
    try:
        services.provision_aws(moto.url, "lake-under-test", [], services.HISTORY_TABLE)
        s3 = boto3.client("s3", endpoint_url=moto.url, region_name=services.REGION,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.put_object(Bucket="lake-under-test", Key="recommendations/2026/11/01/abc.json", Body=b'{"agents": []}')
        first = moto.process.pid

        os.kill(first, signal.SIGKILL)
        _until(lambda: moto.alive() and moto.process.pid != first and moto.running())

        body = s3.get_object(Bucket="lake-under-test", Key="recommendations/2026/11/01/abc.json")["Body"].read()
        assert body == b'{"agents": []}'
        assert any("the local AWS endpoint (moto) stopped; restarting it" in m for m in messages)
        assert supervisor.failure is None
    finally:
        supervisor.stop_all()
    assert not moto.alive()


def test_a_child_that_keeps_dying_stops_everything_naming_it(tmp_path):
    failures: list[str] = []
    supervisor = Supervisor(lambda message: None, max_restarts=2, interval_s=0.1, on_failure=failures.append)
    sleeper = ProcessChild([sys.executable, "-c", "import time; time.sleep(600)"], tmp_path / "sleeper.log")
    crasher = ProcessChild([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "scheduler.log")
    supervisor.add(Child("the sleeper", sleeper.start, sleeper.alive, sleeper.stop, sleeper.log))
    supervisor.add(Child("the Airflow scheduler", crasher.start, crasher.alive, crasher.stop, crasher.log))
    supervisor.watch()
    try:
        _until(lambda: failures, timeout=30)
        assert failures == [supervisor.failure]
        assert "the Airflow scheduler stopped 3 times" in failures[0]
        assert str(tmp_path / "scheduler.log") in failures[0]
        assert sleeper.alive()  # the supervisor reports; the stack stops the rest
    finally:
        supervisor.stop_all()
    assert not sleeper.alive()


def test_a_child_that_cannot_be_started_again_is_named(tmp_path):
    failures: list[str] = []
    supervisor = Supervisor(lambda message: None, interval_s=0.1, on_failure=failures.append)
    state = {"alive": True}

    def start() -> None:
        raise RuntimeError("port 55000 is taken")

    supervisor.add(Child("the local AWS endpoint (moto)", start, lambda: state["alive"], lambda: None), start=False)
    supervisor.watch()
    try:
        state["alive"] = False
        _until(lambda: failures, timeout=30)
        assert failures[0] == "the local AWS endpoint (moto) stopped and could not be started again: port 55000 is taken"
    finally:
        supervisor.stop_all()
