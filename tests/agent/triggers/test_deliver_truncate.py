"""Cutting text to a channel's limit: UTF-8 boundaries, closed code fences, whole Slack entities."""

from __future__ import annotations

import pytest

from agent.triggers.delivery.truncate import (
    clip,
    clip_escaped,
    clip_utf8,
    truncate_markdown,
    utf8_len,
    utf16_len,
)


def test_short_text_is_untouched() -> None:
    assert truncate_markdown("# t\n\nbody", 100, "cut") == ("# t\n\nbody", False)
    assert clip("abc", 3) == "abc" and clip_escaped("a&b", 7) == "a&amp;b"


def test_markdown_is_cut_at_a_line_and_an_open_fence_is_closed() -> None:
    text = "# Report\n\nintro\n\n```sh\n" + "\n".join(f"echo {i}" for i in range(100)) + "\n```\n\n## After\n"
    out, cut = truncate_markdown(text, 80, "[truncated]")
    assert cut and utf8_len(out) <= 80
    assert out == "# Report\n\nintro\n\n```sh\necho 0\necho 1\necho 2\necho 3\necho 4\n```\n\n[truncated]"


def test_indented_and_longer_fences_are_tracked() -> None:
    # a 4-backtick fence holding a 3-backtick line, then an indented fence (as in a Markdown list item)
    code = [f"   aws ecs update-service --service web-{i}" for i in range(20)]
    text = "\n".join(
        ["````text", "```", "still code", "````", "1. step", "", "   ```sh", *code, "   ```", "end"]
    )
    out, cut = truncate_markdown(text, 150, "[cut]")
    assert cut and utf8_len(out) <= 150
    lines = out.split("\n")
    assert lines[:7] == ["````text", "```", "still code", "````", "1. step", "", "   ```sh"]
    kept = lines[7:-3]
    assert kept and kept == code[: len(kept)]  # whole command lines only
    assert lines[-3:] == ["```", "", "[cut]"]  # the indented block is closed before the notice


def test_a_huge_single_line_is_cut_at_a_word_and_a_character_boundary() -> None:
    text = "head\n" + "é word\\ " * 1000
    out, cut = truncate_markdown(text, 200, "[cut]")
    assert cut and utf8_len(out) <= 200 and out.endswith("…\n\n[cut]")
    body = out.split("\n")[1]
    assert body.startswith("é word\\ é") and not body.rstrip("…").endswith("\\")


@pytest.mark.parametrize("limit", range(0, 12))
def test_utf8_clip_never_splits_a_character(limit: int) -> None:
    out = clip_utf8("aé€😀b", limit)
    assert utf8_len(out) <= limit and "aé€😀b".startswith(out)


def test_slack_lengths_count_utf16_units_and_cuts_keep_entities_whole() -> None:
    assert utf16_len("😀") == 2 and clip("😀😀😀", 4) == "😀…"
    for limit in range(2, 20):
        out = clip_escaped("a<b&c>d" * 3, limit)
        assert utf16_len(out) <= limit
        body = out.removesuffix("…")
        # every '&' starts a complete entity
        assert all(body[i:].startswith(("&amp;", "&lt;", "&gt;")) for i, ch in enumerate(body) if ch == "&")
