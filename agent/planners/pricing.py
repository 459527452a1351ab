"""What a model's tokens cost, in USD per million tokens, and the usage ledger of one investigation.

Prices are Anthropic's list prices (claude.com/pricing, 2026); Bedrock's on-demand prices for the same
models are the same. Cache writes (5-minute) cost 1.25x input and cache reads 0.1x input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# model family prefix -> (input, output) USD per million tokens; the longest matching prefix wins.
PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4-7": (5.0, 25.0),
    "claude-opus-4-6": (5.0, 25.0),
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-1": (15.0, 75.0),
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
}
UNKNOWN = (5.0, 25.0)  # an unknown model is costed as the dearest current tier, so caps stay safe
CACHE_WRITE = 1.25
CACHE_READ = 0.1


def price(model: str) -> tuple[float, float]:
    """(input, output) USD per million tokens for a model id, Anthropic or Bedrock style."""
    name = re.sub(r"^(arn:.*/)?([a-z]{2}\.)?(global\.)?anthropic\.", "", model.lower())
    best = max((p for p in PRICES if name.startswith(p)), key=len, default=None)
    return PRICES[best] if best else UNKNOWN


@dataclass
class Ledger:
    """Tokens and dollars spent by one investigation's model calls."""

    model: str
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    def add(self, usage: Any) -> None:
        """Add one response's `usage` block."""
        self.calls += 1
        self.input_tokens += int(getattr(usage, "input_tokens", 0) or 0)
        self.cache_write_tokens += int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
        self.cache_read_tokens += int(getattr(usage, "cache_read_input_tokens", 0) or 0)
        self.output_tokens += int(getattr(usage, "output_tokens", 0) or 0)

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens

    @property
    def cost_usd(self) -> float:
        inp, out = price(self.model)
        dollars = (
            self.input_tokens * inp
            + self.cache_write_tokens * inp * CACHE_WRITE
            + self.cache_read_tokens * inp * CACHE_READ
            + self.output_tokens * out
        ) / 1_000_000
        return round(dollars, 6)
