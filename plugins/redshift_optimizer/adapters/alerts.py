"""The optimization alert: one SNS message per run (topic ``redshift-optimization-alerts`` by
default), and the same summary to an optional Slack incoming webhook.

A Slack failure never fails the run (the SNS message is the alert of record); it is logged
and reported back so the task log shows it.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from redshift_optimizer.adapters.notifications import Notifier

log = logging.getLogger(__name__)


class AlertSender:
    """Sends one alert to SNS and, when configured, to Slack."""

    def __init__(self, notifier: Notifier, slack_webhook_url: str | None = None, timeout: float = 10.0):
        self.notifier = notifier
        self.slack_webhook_url = slack_webhook_url
        self.timeout = timeout

    def send(self, subject: str, message: str) -> dict[str, Any]:
        """Publish; returns the SNS message id and whether Slack took it."""
        sent: dict[str, Any] = {"message_id": self.notifier.publish(subject, message), "slack": None}
        if self.slack_webhook_url:
            sent["slack"] = self._slack(f"*{subject}*\n```{message[:3500]}```")
        return sent

    def _slack(self, text: str) -> bool:
        request = urllib.request.Request(
            self.slack_webhook_url, data=json.dumps({"text": text}).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError) as exc:
            log.warning("the Slack webhook did not take the alert: %s", exc)
            return False


__all__ = ["AlertSender"]
