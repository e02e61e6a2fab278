"""A local HTTP endpoint that speaks Bedrock's Converse wire format (``POST
/model/<modelId>/converse``, JSON in and out, errors as ``x-amzn-ErrorType`` + JSON body), so
the product's own boto3 client reaches it through ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``.

It plays a model that answers by the tool it is forced to call, citing what the context
offers; tests switch it to throttle a burst of calls or to answer malformed input. Every
request body is kept for inspection. Not a product feature: the offline engine is the rules.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


def context_of(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON context the product put in the first user message."""
    text = body["messages"][0]["content"][0]["text"]
    return json.loads(text.split("\n", 1)[1])


def tool_of(body: dict[str, Any]) -> str:
    return body["toolConfig"]["toolChoice"]["tool"]["name"]


def cited_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A valid answer for the forced tool, citing the context's first finding or metric, with
    one uncited statement the product must drop."""
    ctx = context_of(body)
    codes = [f["code"] for f in ctx.get("findings", [])]
    metric = next(iter(ctx.get("metrics", {})), None)
    cite = [codes[0]] if codes else ([metric] if metric else [])
    uncited = {"text": "This claim cites nothing the context holds.", "cites": ["Z999"]}
    tool = tool_of(body)
    table = ctx["tables"][0]["table_name"] if ctx.get("tables") else "public.unknown"
    if tool == "report_redshift_query_optimizer":
        rewrite = (ctx.get("rule_rewrite") or {}).get("sql")
        return {"optimized_query": rewrite, "confidence": 0.7,
                "analysis": [{"text": "The most expensive step is the one the finding names.", "cites": cite}, uncited],
                "estimated_benefit": {"summary": "Time at stake per day.", "time_at_stake_seconds_per_day":
                                      ctx["metrics"].get("query.seconds_per_day"),
                                      "cites": ["query.seconds_per_day"]},
                "additional_actions": [{"text": "Apply the finding's fix.", "cites": cite}]}
    if tool == "report_schema_normalizer":
        return {"confidence": 0.6, "schema_findings": [{"table": table, "text": "Design issue.", "cites": cite}, {**uncited, "table": table}],
                "distribution_recommendations": [], "sort_key_recommendations": [], "encoding_recommendations": []}
    if tool == "report_cost_saver":
        return {"confidence": 0.6, "high_cost_queries": [], "wlm_recommendations": [], "storage_optimizations": [],
                "cost_reduction_actions": [{"text": "Cache the result.", "seconds_per_day": 1.5, "money_per_day": 0.01,
                                            "cites": cite}, {**uncited, "seconds_per_day": 999.0}],
                "estimated_savings": {"seconds_per_day": 0, "money_per_day": 0}}
    return {"confidence_score": 0.5, "issues_detected": [{"table": table, "text": "An issue.", "cites": cite},
                                                         {**uncited, "table": table}],
            "recommended_fixes": []}


class FakeBedrock:
    """The endpoint. ``answer(body)`` gives the tool input; ``throttle`` the next N requests;
    ``malformed`` (a set of tool names) answers those with input that breaks the schema."""

    def __init__(self, answer: Callable[[dict[str, Any]], dict[str, Any]] = cited_answer):
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.model_ids: list[str] = []
        self.throttle = 0
        self.throttled = 0
        self.malformed: set[str] = set()
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeBedrock":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "fake-request")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                parts = self.path.split("/")
                if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
                    self._send(404, {"message": f"unknown path {self.path}"},
                               {"x-amzn-ErrorType": "ResourceNotFoundException"})
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.requests.append(body)
                    fake.model_ids.append(urllib.parse.unquote(parts[2]))
                    if fake.throttle > 0:
                        fake.throttle -= 1
                        fake.throttled += 1
                        self._send(429, {"message": "Too many requests, please wait before trying again."},
                                   {"x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"})
                        return
                tool = tool_of(body)
                tool_input = {"analysis": "not a list", "confidence": "high"} if tool in fake.malformed \
                    else fake.answer(body)
                text = json.dumps(body)
                self._send(200, {
                    "output": {"message": {"role": "assistant", "content": [
                        {"toolUse": {"toolUseId": f"tooluse_{len(fake.requests)}", "name": tool, "input": tool_input}}]}},
                    "stopReason": "tool_use",
                    "usage": {"inputTokens": len(text) // 4, "outputTokens": len(json.dumps(tool_input)) // 4,
                              "totalTokens": len(text) // 4 + len(json.dumps(tool_input)) // 4},
                    "metrics": {"latencyMs": 5},
                })

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
