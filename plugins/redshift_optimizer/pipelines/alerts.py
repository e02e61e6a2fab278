"""The run's alert: which new results alert (at or above ``alert_min_severity``, or a failed
validation check), the message's text, and its one SNS (and Slack) message."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Mapping, Protocol

from redshift_optimizer import lake_keys
from redshift_optimizer.errors import NotRetryable
from redshift_optimizer.models.agents import AgentResult, AnalysisRecord
from redshift_optimizer.models.findings import Severity
from redshift_optimizer.models.lake import Lake
from redshift_optimizer.settings import Settings

log = logging.getLogger(__name__)


class AlertSender(Protocol):
    def send(self, subject: str, body: str) -> dict[str, Any]: ...


class AgentsFailed(NotRetryable):
    """Everything is stored (and the alert is out), but some agent runs failed: the run
    fails without a retry so they show, instead of a green run hiding them."""


def alert_entry(record: AnalysisRecord, new: dict[str, AgentResult], settings: Settings) -> dict[str, Any] | None:
    threshold = Severity.parse(settings.alert_min_severity)
    reasons = []
    for agent, result in new.items():
        if not result.succeeded:
            continue
        severe = sorted({f.code for f in result.findings if f.severity >= threshold})
        failed_checks = [c for c in (result.output or {}).get("validation_checks", []) if c.get("status") == "failed"]
        if severe or failed_checks:
            reasons.append({"agent": agent, "severity": result.severity.value if result.severity else None,
                            "codes": severe or sorted({c["code"] for c in failed_checks}),
                            "failed_checks": len(failed_checks)})
    if not reasons:
        return None
    return {"query_hash": record.query_hash, "rank": record.query.rank,
            "severity": record.severity.value if record.severity else None,
            "fingerprint": record.query.fingerprint[:160], "agents": reasons, "archive_uri": record.archive_uri,
            "failed_agents": sorted(n for n, r in record.agents.items() if not r.succeeded)}


def alert_message(persisted: Mapping[str, Any], settings: Settings, archive_uri: str) -> tuple[str, str] | None:
    """(subject, body) of the run's alert, or None when nothing alerts."""
    alerts = persisted.get("alerts") or []
    if not alerts:
        return None
    day = persisted["run_date"]
    worst = max((Severity(a["severity"]) for a in alerts if a.get("severity")), default=None)
    subject = f"Redshift optimization {day}: {len(alerts)} query(ies) need attention" + (f" ({worst.value})" if worst else "")
    lines = [f"The daily optimization of {day} found results at {settings.alert_min_severity} or above, or failed "
             f"validation checks, for {len(alerts)} fingerprint(s):", ""]
    for a in alerts:
        lines.append(f"- #{a['rank']} {a['query_hash']} [{a.get('severity') or '-'}] {a['fingerprint']}")
        for reason in a["agents"]:
            checks = f", {reason['failed_checks']} failed check(s)" if reason["failed_checks"] else ""
            lines.append(f"    {reason['agent']}: {', '.join(reason['codes'])}{checks}")
        if a.get("failed_agents"):
            lines.append(f"    agents that failed: {', '.join(a['failed_agents'])}")
        lines.append(f"    details: {a['archive_uri']}")
    lines += ["", f"All of the day's results: {archive_uri}",
              f"History: DynamoDB table {settings.history_table} (index by-severity-day, day_key from {day})"]
    return subject, "\n".join(lines) + "\n"


def send_alert(sender: AlertSender, lake: Lake, settings: Settings,
               persisted: Mapping[str, Any]) -> dict[str, Any]:
    """One message for the run when something alerts; nothing otherwise."""
    day = date.fromisoformat(persisted["run_date"])
    message = alert_message(persisted, settings, lake.uri(lake_keys.recommendations(day)))
    if message is None:
        log.info("nothing to alert on")
        return {"sent": False}
    sent = sender.send(*message)
    log.info("alert sent: SNS message %s%s", sent["message_id"],
             "" if sent.get("slack") is None else f", Slack {'ok' if sent['slack'] else 'failed'}")
    return {"sent": True, **sent}


def fail_if_agents_failed(persisted: Mapping[str, Any]) -> None:
    if persisted.get("failed_agents"):
        raise AgentsFailed(f"{persisted['failed_agents']} agent run(s) failed; their results are "
                           "recorded as failed and a re-run of the day retries only those")


__all__ = ["AgentsFailed", "AlertSender", "alert_entry", "alert_message", "fail_if_agents_failed", "send_alert"]
