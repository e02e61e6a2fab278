"""Messages to people (SNS) and metrics to dashboards (CloudWatch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from redshift_optimizer.errors import ConfigurationError


class Notifier:
    """Publishes to one SNS topic, given by name or ARN (``setting`` names it in errors)."""

    def __init__(self, topic: str, aws_conn_id: str | None = "aws_default", hook: Any = None,
                 setting: str = "schema_change_topic"):
        if hook is None:
            from airflow.providers.amazon.aws.hooks.sns import SnsHook

            hook = SnsHook(aws_conn_id=aws_conn_id)
        self.hook = hook
        self.topic = topic
        self.setting = setting

    def topic_arn(self) -> str:
        if self.topic.startswith("arn:"):
            return self.topic
        client = self.hook.get_conn()
        for page in client.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                if topic["TopicArn"].rsplit(":", 1)[-1] == self.topic:
                    return topic["TopicArn"]
        raise ConfigurationError(
            f"SNS topic '{self.topic}' does not exist (setting {self.setting})"
        )

    def publish(self, subject: str, message: str) -> str:
        """Send one message; returns its message id."""
        response = self.hook.publish_to_target(
            target_arn=self.topic_arn(), message=message, subject=subject[:100]
        )
        return response["MessageId"]


class Metrics:
    """Puts metric data points into one CloudWatch namespace."""

    def __init__(self, namespace: str, aws_conn_id: str | None = "aws_default", hook: Any = None):
        if hook is None:
            from airflow.providers.amazon.aws.hooks.base_aws import AwsGenericHook

            hook = AwsGenericHook(aws_conn_id=aws_conn_id, client_type="cloudwatch")
        self.hook = hook
        self.namespace = namespace

    def put(self, values: dict[str, float], timestamp: datetime, dimensions: dict[str, str]) -> None:
        self.hook.get_conn().put_metric_data(
            Namespace=self.namespace,
            MetricData=[
                {
                    "MetricName": name,
                    "Value": float(value),
                    "Unit": "Count",
                    "Timestamp": timestamp,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                }
                for name, value in values.items()
            ],
        )
