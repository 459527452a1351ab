"""Which brain runs, and the Claude planner's settings: model, endpoint, caps (read from the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from agent.planners.pricing import Ledger

DEFAULT_MODEL = "claude-sonnet-4-6"
DEFAULT_BEDROCK_MODEL = "anthropic.claude-sonnet-4-6"
REPLAY_KEY = "sk-replay-no-key"  # stands in for a key when a cassette answers and no request leaves


@dataclass(frozen=True)
class ClaudeSettings:
    model: str = DEFAULT_MODEL
    bedrock: bool = False
    api_key: str | None = None
    base_url: str | None = None
    aws_region: str | None = None
    aws_profile: str | None = None
    max_turns: int = 12
    max_prompt_tokens: int = 400_000  # summed over turns, cache reads included
    max_output_tokens: int = 12_000
    max_cost_usd: float = 1.0
    turn_tokens: int = 2048  # max_tokens of one response
    max_retries: int = 4  # the SDK retries 408/409/429/5xx/529 with jittered exponential backoff
    timeout_s: float = 120.0
    narrate: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> ClaudeSettings:
        """Settings from SLEUTH_* / ANTHROPIC_* / AWS_* variables; `overrides` win."""
        env = os.environ if env is None else env
        bedrock = env.get("SLEUTH_BEDROCK", "") in ("1", "true", "yes")
        values: dict[str, Any] = {
            "bedrock": bedrock,
            "model": env.get("SLEUTH_MODEL") or (DEFAULT_BEDROCK_MODEL if bedrock else DEFAULT_MODEL),
            "api_key": env.get("ANTHROPIC_API_KEY") or None,
            "base_url": env.get("ANTHROPIC_BASE_URL") or None,
            "aws_region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            "aws_profile": env.get("AWS_PROFILE") or None,
        }
        if env.get("SLEUTH_LLM_MAX_COST_USD"):
            values["max_cost_usd"] = float(env["SLEUTH_LLM_MAX_COST_USD"])
        return cls(**{**values, **overrides})

    def configured(self) -> bool:
        """True when a model can be reached: an API key, or Bedrock chosen explicitly."""
        return self.bedrock or bool(self.api_key)

    def for_replay(self) -> ClaudeSettings:
        """The same settings with a placeholder key, for runs a recording answers."""
        return self if self.api_key or self.bedrock else replace(self, api_key=REPLAY_KEY)


@dataclass
class Brain:
    """The Claude brain of one investigation: settings, an optional ready client, and the spend so far.

    Passed as `Runtime.llm` (or `config["configurable"]["llm"]`). Not checkpointed: a resumed run
    starts a new ledger.
    """

    settings: ClaudeSettings = field(default_factory=ClaudeSettings.from_env)
    client: Any = None  # an anthropic.Anthropic-like client; built from settings when None
    ledger: Ledger | None = None
    failure: str | None = None  # why the model was lost, when it was
    capped: list[str] = field(default_factory=list)

    def spend(self) -> Ledger:
        if self.ledger is None:
            self.ledger = Ledger(self.settings.model)
        return self.ledger
