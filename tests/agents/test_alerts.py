"""The alert goes to the SNS topic on the local endpoint and to a Slack incoming webhook
(a local HTTP server here); a webhook that fails does not lose the SNS message."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from redshift_optimizer.adapters.alerts import AlertSender
from redshift_optimizer.adapters.notifications import Notifier
from redshift_optimizer.errors import ConfigurationError
from tests.agents.conftest import sns_messages

pytestmark = pytest.mark.stack


@pytest.fixture()
def slack():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            status = 500 if "fail" in self.path else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_sns_and_slack_get_the_same_summary(aws, slack):
    url, received = slack
    before = len(sns_messages(aws))
    sender = AlertSender(Notifier("redshift-optimization-alerts", aws_conn_id=None, setting="alerts_topic"),
                         f"{url}/services/T000/B000/XXXX")
    sent = sender.send("Redshift optimization 2026-05-20: 1 query(ies) need attention (HIGH)", "- #1 abc [HIGH]\n")
    assert sent["slack"] is True and sent["message_id"]
    messages = sns_messages(aws)[before:]
    assert [m["subject"] for m in messages] == ["Redshift optimization 2026-05-20: 1 query(ies) need attention (HIGH)"]
    assert "#1 abc [HIGH]" in messages[0]["message"]
    assert "need attention" in received[0]["text"] and "#1 abc [HIGH]" in received[0]["text"]


def test_a_failing_webhook_keeps_the_sns_message(aws, slack):
    url, _ = slack
    before = len(sns_messages(aws))
    sender = AlertSender(Notifier("redshift-optimization-alerts", aws_conn_id=None), f"{url}/fail")
    assert sender.send("subject", "body")["slack"] is False
    assert len(sns_messages(aws)) == before + 1


def test_a_missing_topic_names_the_setting(aws):
    with pytest.raises(ConfigurationError, match="setting alerts_topic"):
        Notifier("no-such-topic", aws_conn_id=None, setting="alerts_topic").publish("s", "m")
