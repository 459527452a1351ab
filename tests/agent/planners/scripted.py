"""A scripted Messages API on a local HTTP server: the real anthropic SDK talks real HTTP to it.

There is no model key in this environment, and a recording cannot be made without one; a scripted model
also lets each test choose exactly what the model does (call a tool, cite a fabricated id, obey an
injected instruction) and then check what the code does about it. Each scripted turn is a function of
the request body, so turns can cite the evidence ids the real tools produced.

Usage is reported the way the API reports it, from the request's own size (about 4 characters a
token): the prefix marked with cache_control is a cache write on its first request and a cache read
after, so `stats` on scripted runs estimate what a real run spends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Turn = Callable[[dict[str, Any]], "Reply"]
CHARS_PER_TOKEN = 4


@dataclass
class Reply:
    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "end_turn"
    status: int = 200
    error_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def text(message: str) -> Reply:
    return Reply([{"type": "text", "text": message}], "end_turn")


def tool_use(*calls: tuple[str, dict[str, Any]], say: str = "") -> Reply:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": say}] if say else []
    blocks += [
        {"type": "tool_use", "id": f"toolu_{i:02d}_{name}", "name": name, "input": args}
        for i, (name, args) in enumerate(calls)
    ]
    return Reply(blocks, "tool_use")


def error(status: int, kind: str, message: str = "scripted failure") -> Reply:
    # retry-after-ms keeps the SDK's backoff short in tests; the SDK honours it like the real API's.
    return Reply(
        status=status, error_type=kind, headers={"retry-after-ms": "10"}, content=[{"message": message}]
    )


def _cached_prefix(body: dict[str, Any]) -> int:
    """Characters up to the last cache_control mark: tools, then system (the API's cache order)."""
    marked = any("cache_control" in t for t in body.get("tools", [])) or any(
        isinstance(s, dict) and "cache_control" in s for s in body.get("system", []) or []
    )
    if not marked:
        return 0
    return len(json.dumps(body.get("tools", []))) + len(json.dumps(body.get("system", [])))


class ScriptedModel:
    """Serves /v1/messages from a list of turns, in order; records every request it receives."""

    def __init__(self, turns: list[Turn | Reply]) -> None:
        self.turns = list(turns)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.usages: list[dict[str, int]] = []
        self._prefixes: set[int] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> ScriptedModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            if not self.turns:
                return (
                    500,
                    {},
                    {"type": "error", "error": {"type": "api_error", "message": "script exhausted"}},
                )
            turn = self.turns.pop(0)
        reply = turn if isinstance(turn, Reply) else turn(body)
        if reply.status != 200:
            message = reply.content[0]["message"] if reply.content else "error"
            return (
                reply.status,
                reply.headers,
                {"type": "error", "error": {"type": reply.error_type, "message": message}},
            )
        prefix = _cached_prefix(body)
        total = len(json.dumps(body))
        usage = {
            "input_tokens": (total - prefix) // CHARS_PER_TOKEN,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": max(1, len(json.dumps(reply.content)) // CHARS_PER_TOKEN),
        }
        if prefix:
            key = "cache_read_input_tokens" if prefix in self._prefixes else "cache_creation_input_tokens"
            usage[key] = prefix // CHARS_PER_TOKEN
            self._prefixes.add(prefix)
        self.usages.append(usage)
        message = {
            "id": f"msg_scripted_{len(self.requests):03d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": reply.content,
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
        return 200, {}, message

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                model.headers.append({k.lower(): v for k, v in self.headers.items()})
                headers: dict[str, str] = {}
                if self.path.split("?")[0] != "/v1/messages":
                    status, headers, payload = (
                        404,
                        {},
                        {"type": "error", "error": {"type": "not_found_error", "message": self.path}},
                    )
                else:
                    status, headers, payload = model.answer(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_scripted_{len(model.requests)}")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def sonnet_cost(usages: list[dict[str, int]]) -> float:
    """Hand-computed USD for claude-sonnet-4-6 list prices: $3 in, $15 out, writes 1.25x, reads 0.1x."""
    total = 0.0
    for u in usages:
        total += u["input_tokens"] * 3 + u["cache_creation_input_tokens"] * 3.75
        total += u["cache_read_input_tokens"] * 0.30 + u["output_tokens"] * 15
    return total / 1_000_000
