"""Cutting text to a channel's size limit without breaking what it is: UTF-8, Markdown fences, Slack escapes."""

from __future__ import annotations

import re
from collections.abc import Callable

ELLIPSIS = "…"
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def utf16_len(text: str) -> int:
    """Length as Slack's limits count it, conservatively: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int, measure: Callable[[str], int] = utf16_len, marker: str = ELLIPSIS) -> str:
    """`text` if it fits in `limit`, else its longest prefix that fits with `marker` appended."""
    if measure(text) <= limit:
        return text
    room = limit - measure(marker)
    out: list[str] = []
    used = 0
    for ch in text:
        size = measure(ch)
        if used + size > room:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip() + marker


def slack_escape(text: str) -> str:
    """Slack's three control characters; escaping '<' also stops @channel-style mentions and links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip_escaped(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """Escape `text` for Slack mrkdwn and clip it to `limit`, never cutting inside an entity like '&amp;'."""
    room = limit - utf16_len(marker)
    whole = slack_escape(text)
    if utf16_len(whole) <= limit:
        return whole
    out: list[str] = []
    used = 0
    for ch in text:
        piece = slack_escape(ch)
        size = utf16_len(piece)
        if used + size > room:
            break
        out.append(piece)
        used += size
    return "".join(out).rstrip() + marker


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def clip_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `max_bytes` (never half a character)."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def truncate_markdown(text: str, max_bytes: int, notice: str) -> tuple[str, bool]:
    """`text` cut at a line to fit `max_bytes` of UTF-8 with `notice` appended; a code fence open at the
    cut is closed first, so the rest of the message does not render as code. Returns (text, truncated)."""
    if utf8_len(text) <= max_bytes:
        return text, False
    tail = "\n\n" + notice
    out: list[str] = []
    used = 0
    fence: str | None = None
    for line in text.split("\n"):
        closing = f"\n{fence}" if fence else ""
        budget = max_bytes - utf8_len(tail) - utf8_len(closing) - used
        size = utf8_len(line) + (1 if out else 0)
        if size > budget:
            # Half a command is worse than none: inside code only whole lines are kept.
            part = None if fence else _cut_line(line, budget - (1 if out else 0))
            if part:
                out.append(part)
            break
        out.append(line)
        used += size
        fence = _fence_after(line, fence)
    if fence:
        out.append(fence)
    return "\n".join(out).rstrip() + tail, True


def _cut_line(line: str, budget: int) -> str | None:
    """Prose cut at a word, without a dangling escape backslash that would eat the ellipsis."""
    if budget <= utf8_len(ELLIPSIS):
        return None
    cut = clip_utf8(line, budget - utf8_len(ELLIPSIS))
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip("\\") + ELLIPSIS


def _fence_after(line: str, fence: str | None) -> str | None:
    """The fence open after `line`, given the one open before it (CommonMark's fenced code rules)."""
    match = _FENCE.match(line)
    if match is None:
        return fence
    marker = match.group(1)
    if fence is None:
        return marker
    stripped = line.strip()
    closes = stripped == marker and marker[0] == fence[0] and len(marker) >= len(fence)
    return None if closes else fence
