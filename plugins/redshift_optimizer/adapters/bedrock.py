"""Claude on Amazon Bedrock through the Converse API (the Amazon provider's BedrockRuntimeHook).

One call = one forced tool: the model must answer by calling the tool whose input schema is
the agent's output model, so the answer is JSON, not prose. Throttling is common on
Bedrock: throttled calls are retried here with exponential backoff and full jitter (botocore's
own retries are off so the attempts are counted and bounded in one place); a pool on the DAG
caps how many calls run at once; ``maxTokens`` stays tight because Bedrock reserves quota
from it.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from redshift_optimizer.errors import OptimizerError

log = logging.getLogger(__name__)

#: Error codes worth another attempt after a pause.
RETRYABLE = frozenset({
    "ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException",
    "ModelNotReadyException", "InternalServerException", "ModelTimeoutException",
})


class ModelError(OptimizerError):
    """The model could not be reached or refused the request."""


@dataclass
class ConverseReply:
    """The parts of a Converse response the agents use."""

    tool_input: dict[str, Any] | None
    tool_use_id: str | None
    text: str
    stop_reason: str | None
    input_tokens: int
    output_tokens: int
    attempts: int
    throttled: int
    message: dict[str, Any] = field(default_factory=dict)


class ConverseClient:
    """Converse calls to one model with one forced tool, retried when throttled."""

    def __init__(
        self,
        model_id: str,
        *,
        client: Any = None,
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        max_attempts: int = 8,
        backoff_seconds: float = 1.0,
        backoff_max_seconds: float = 30.0,
        timeout_seconds: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if client is None:
            from botocore.config import Config

            from airflow.providers.amazon.aws.hooks.bedrock import BedrockRuntimeHook

            config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                            read_timeout=timeout_seconds, connect_timeout=10)
            client = BedrockRuntimeHook(aws_conn_id=aws_conn_id, region_name=region_name, config=config).conn
        self.client = client
        self.model_id = model_id
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.sleep = sleep

    def converse(
        self,
        system: str,
        messages: list[dict[str, Any]],
        tool_name: str,
        tool_description: str,
        input_schema: dict[str, Any],
        max_tokens: int,
        temperature: float = 0.0,
    ) -> ConverseReply:
        """One answer from the model, which must call ``tool_name``."""
        from botocore.exceptions import BotoCoreError, ClientError

        request = {
            "modelId": self.model_id,
            "system": [{"text": system}],
            "messages": messages,
            "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
            "toolConfig": {
                "tools": [{"toolSpec": {"name": tool_name, "description": tool_description,
                                        "inputSchema": {"json": input_schema}}}],
                "toolChoice": {"tool": {"name": tool_name}},
            },
        }
        throttled = 0
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.client.converse(**request)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code in RETRYABLE and attempt < self.max_attempts:
                    throttled += 1
                    pause = random.uniform(0, min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (attempt - 1)))
                    log.warning("Bedrock %s (attempt %d/%d): retrying in %.2f s", code, attempt, self.max_attempts, pause)
                    self.sleep(pause)
                    continue
                message = exc.response.get("Error", {}).get("Message", str(exc))
                if code in RETRYABLE:
                    raise ModelError(f"Bedrock kept answering {code} after {attempt} attempts: {message}") from None
                raise ModelError(f"Bedrock refused the request ({code}): {message} "
                                 f"(model {self.model_id}; setting bedrock_model_id)") from None
            except BotoCoreError as exc:
                raise ModelError(f"cannot reach Bedrock (model {self.model_id}): {exc}") from None
            return self._reply(response, tool_name, attempt, throttled)
        raise ModelError("unreachable")  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _reply(response: dict[str, Any], tool_name: str, attempts: int, throttled: int) -> ConverseReply:
        message = response.get("output", {}).get("message", {}) or {}
        tool_input, tool_use_id, texts = None, None, []
        for block in message.get("content", []) or []:
            if "toolUse" in block and block["toolUse"].get("name") == tool_name and tool_input is None:
                tool_input = block["toolUse"].get("input")
                tool_use_id = block["toolUse"].get("toolUseId")
            elif "text" in block:
                texts.append(block["text"])
        usage = response.get("usage", {}) or {}
        return ConverseReply(
            tool_input=tool_input if isinstance(tool_input, dict) else None,
            tool_use_id=tool_use_id,
            text="\n".join(texts),
            stop_reason=response.get("stopReason"),
            input_tokens=int(usage.get("inputTokens", 0)),
            output_tokens=int(usage.get("outputTokens", 0)),
            attempts=attempts,
            throttled=throttled,
            message=message,
        )


__all__ = ["ConverseClient", "ConverseReply", "ModelError", "RETRYABLE"]
