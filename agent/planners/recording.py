"""Record and replay the model's HTTP exchanges with vcrpy, with secrets filtered and account ids scrubbed.

    with recording("cassettes/incident-42.yaml", mode="once") as rec:
        settings = rec.settings(ClaudeSettings.from_env())  # a placeholder key when replaying
        ...

Only the model's calls are recorded (Anthropic Messages and Bedrock InvokeModel paths); other HTTP,
such as live AWS calls, passes through untouched. "once" replays an existing cassette and records a missing one; "none" only replays (a request not on
the cassette fails); "all" records afresh. Replaying needs no key and no network.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from agent.planners.settings import ClaudeSettings
from tools.redact import redact

Mode = Literal["once", "none", "all"]
SECRET_HEADERS = [
    "x-api-key",
    "authorization",
    "anthropic-api-key",
    "x-amz-security-token",
    "x-amz-date",
    "x-amz-content-sha256",
    "cookie",
    "set-cookie",
]
ACCOUNT = re.compile(rb"(?<![0-9])[0-9]{12}(?![0-9])")
SCRUBBED = b"000000000000"
MODEL_PATH = re.compile(r"/v1/messages$|/model/[^/]+/invoke(-with-response-stream)?$")


def _scrub(body: Any) -> Any:
    if isinstance(body, str):
        return ACCOUNT.sub(SCRUBBED, redact(body).encode()).decode()
    if isinstance(body, bytes):
        return ACCOUNT.sub(
            SCRUBBED, redact(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        )
    return body


def _request(request: Any) -> Any:
    """Keep only model calls (Anthropic Messages, Bedrock InvokeModel), scrubbed; anything else passes."""
    if not MODEL_PATH.search(urlparse(request.uri).path):
        return None
    request.body = _scrub(request.body)
    request.uri = _scrub(request.uri)
    return request


def _scrubbed_path(r1: Any, r2: Any) -> None:
    """Paths equal once account ids are scrubbed (Bedrock inference-profile ARNs carry one)."""
    if _scrub(r1.path) != _scrub(r2.path):
        raise AssertionError(f"{r1.path} != {r2.path}")


def _response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body") or {}
    if "string" in body:
        body["string"] = _scrub(body["string"])
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SECRET_HEADERS or name.lower().startswith("x-amzn-"):
            headers.pop(name)
    return response


class RecordingUnavailable(RuntimeError):
    """vcrpy, which records and replays HTTP, is not installed (it is an optional extra)."""


def require_vcr() -> None:
    """Raise RecordingUnavailable, with the install command, when vcrpy is missing."""
    if importlib.util.find_spec("vcr") is None:
        raise RecordingUnavailable(
            "recording or replaying model calls needs vcrpy: pip install 'sleuth[recording]'"
        )


@dataclass(frozen=True)
class Recording:
    path: Path
    mode: Mode
    replaying: bool  # the cassette exists and will answer: no key and no network needed

    def settings(self, settings: ClaudeSettings) -> ClaudeSettings:
        return settings.for_replay() if self.replaying else settings


@contextmanager
def recording(cassette_path: str | Path, mode: Mode = "once") -> Iterator[Recording]:
    """Record or replay every HTTP exchange inside the block (the model's, in practice) to a YAML cassette."""
    require_vcr()
    import vcr

    path = Path(cassette_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    player = vcr.VCR(
        record_mode=mode,
        filter_headers=SECRET_HEADERS,
        before_record_request=_request,
        before_record_response=_response,
        match_on=["method", "scheme", "host", "port", "scrubbed_path", "query"],
        decode_compressed_response=True,
    )
    player.register_matcher("scrubbed_path", _scrubbed_path)
    replaying = mode == "none" or (mode == "once" and path.exists())
    with player.use_cassette(str(path)):
        yield Recording(path, mode, replaying)
