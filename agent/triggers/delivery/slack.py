"""Slack: the report as a Block Kit message posted to an incoming webhook.

Slack's limits (Block Kit reference): at most 50 blocks per message, 3000 characters of text in a section,
150 in a header, 2000 in a section field (at most 10 fields), 10 elements in a context block, 3000 in a
link URL. Slack truncates a message's top-level `text` past 40,000 characters and advises staying under
4,000; it is the notification and fallback text here, so it is kept short. Slack also rejects messages
whose blocks hold more than about 13,000 characters in all (`msg_blocks_too_long`, not in the reference;
see slackapi/bolt-js#2509), so each part has a budget and all of them add up to under MESSAGE_TEXT.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.report import view
from agent.report.model import Report, ReportHypothesis, ReportRemediation
from agent.triggers.delivery.config import check_webhook_url
from agent.triggers.delivery.truncate import clip, clip_escaped, slack_escape, utf16_len
from tools.redact import redact

log = logging.getLogger(__name__)

MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
FIELD_TEXT = 2000
MAX_FIELDS = 10
URL_LENGTH = 3000  # LINK_TEXT keeps a link's URL under this
# Budgets under the per-element limits, summing (with markup) to under MESSAGE_TEXT.
MESSAGE_TEXT = 12_000
SUMMARY_TEXT = 2500
FIELD_BUDGET = 300
HYPOTHESES_TEXT = 1500
REMEDIATION_TEXT = 2500
LINK_TEXT = 2500
CONTEXT_TEXT = 300
FALLBACK_TEXT = 3000
TOP_HYPOTHESES = 3

ICON = {
    "root_cause": ":rotating_light:",
    "inconclusive": ":warning:",
    "no_fault": ":white_check_mark:",
    "insufficient_data": ":no_entry_sign:",
}


class SlackError(RuntimeError):
    """Slack did not take the message. The message says why; it never contains the webhook URL."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _inline_code(text: str, limit: int) -> str:
    # Slack has no way to escape a backtick inside inline code; a straight quote reads the same.
    flat = " ".join(text.split()).replace("`", "'")
    return f"`{clip_escaped(flat, limit - 2)}`"


def _hypothesis_line(h: ReportHypothesis, limit: int) -> str:
    facts = f" — {view.percent(h.confidence)} · {h.category}"
    if h.status in view.RULED_OUT:
        facts += f" · {h.status.replace('_', ' ')}"
    resource = _inline_code(h.resource, 200)
    room = limit - utf16_len(f"{h.rank}. **{facts} · {resource}")
    return f"{h.rank}. *{clip_escaped(h.title, max(room, 20))}*{facts} · {resource}"


def _remediation(step: ReportRemediation, conditional: bool) -> str:
    lead = "If confirmed, first step" if conditional else "First remediation"
    head = f"*{lead}: {step.action}* — {clip_escaped(step.description, 1000)}"
    if not step.command:
        return head
    if "```" in step.command:
        # A code block cannot hold a backtick fence, and an altered command is worse than none.
        return head + "\n_The command contains a code fence; copy it from the full report._"
    fence_open, fence_close = "\n```\n", "\n```"
    note = "\n_Command truncated; the full command is in the report._"
    room = REMEDIATION_TEXT - utf16_len(head + fence_open + fence_close)
    whole = slack_escape(step.command)
    if utf16_len(whole) <= room:
        return f"{head}{fence_open}{whole}{fence_close}"
    return f"{head}{fence_open}{clip_escaped(step.command, room - utf16_len(note))}{fence_close}{note}"


def first_step(report: Report) -> tuple[ReportRemediation, bool] | None:
    """The first remediation step to show, and whether it is conditional (an unconfirmed candidate)."""
    top = view.leading(report)
    if top is not None:
        return (top.remediation[0], False) if top.remediation else None
    if report.verdict == "inconclusive":
        for h in report.hypotheses:
            if h.status not in view.RULED_OUT and h.remediation:
                return h.remediation[0], True
    return None


def build_message(
    report: Report, *, investigation_id: str, link: str | None, link_notice: str
) -> dict[str, Any]:
    """The Block Kit payload for `report` (redacted here, whatever the caller passed).

    `link` is the full report's URL; without one, `link_notice` says where the report is instead.
    """
    r = view.prepare(report)
    name = r.alarm or r.title or r.question or "incident investigation"
    verdict = view.verdict_line(r)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(f"{ICON[r.verdict]} {view.verdict_heading(r)}: {name}", HEADER_TEXT),
                "emoji": True,
            },
        }
    ]
    bold = f"*{clip_escaped(verdict, 500)}*\n"
    blocks.append(_section(bold + clip_escaped(r.summary, SUMMARY_TEXT - utf16_len(bold))))
    fields = [
        ("Alarm", _inline_code(r.alarm, FIELD_BUDGET - 20) if r.alarm else None),
        ("Question", clip_escaped(r.question, FIELD_BUDGET - 20) if r.question else None),
        ("Impact", clip_escaped(view.impact_text(r), FIELD_BUDGET - 20)),
        ("Investigation", _inline_code(investigation_id, 200)),
    ]
    blocks.append(
        {"type": "section", "fields": [_mrkdwn(f"*{k}*\n{v}") for k, v in fields if v][:MAX_FIELDS]}
    )
    shown = r.hypotheses[:TOP_HYPOTHESES]
    if shown:
        per_line = (HYPOTHESES_TEXT - 100) // len(shown)  # room for the title and the "more" line
        title = "*Top hypotheses*" if r.verdict != "no_fault" else "*Checked and ruled out*"
        lines = [_hypothesis_line(h, per_line) for h in shown]
        more = len(r.hypotheses) - len(shown)
        if more:
            lines.append(f"_…and {more} more in the full report_")
        blocks.append(_section("\n".join([title, *lines])))
    step = first_step(r)
    if step is not None:
        blocks.append(_section(_remediation(*step)))
    blocks.append({"type": "divider"})
    if link and utf16_len(slack_escape(link)) <= LINK_TEXT - 40:
        blocks.append(_section(f":page_facing_up: <{slack_escape(link)}|Full report (HTML)>"))
    elif link:
        blocks.append(_section(":page_facing_up: The full report is stored; its link is too long for Slack."))
    else:
        blocks.append(_section(":page_facing_up: " + clip_escaped(link_notice, LINK_TEXT - 30)))
    blocks.append(
        {
            "type": "context",
            "elements": [_mrkdwn(clip_escaped("Sleuth · " + view.stats_line(r), CONTEXT_TEXT))],
        }
    )
    text = clip_escaped(f"Sleuth: {verdict} — {name}: {r.summary}", FALLBACK_TEXT)
    return {"text": text, "blocks": blocks[:MAX_BLOCKS]}


@dataclass(frozen=True)
class Posted:
    attempts: int
    waited_s: float


def post(
    url: str,
    message: dict[str, Any],
    *,
    timeout_s: float = 10.0,
    max_attempts: int = 3,
    max_wait_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Posted:
    """POST `message` to the webhook. 429 is retried after its Retry-After (capped by `max_wait_s`); 5xx and
    network errors are retried with backoff; any other non-200 answer raises SlackError with Slack's reason."""
    check_webhook_url(url)
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    waited = 0.0
    last = ""
    for attempt in range(1, max_attempts + 1):
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        wait: float | None
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
                return Posted(attempts=attempt, waited_s=waited)
        except urllib.error.HTTPError as exc:
            reason = _reason(exc)
            if exc.code == 429:
                wait = _retry_after(exc.headers.get("Retry-After"), default=float(attempt))
                last = f"rate limited (HTTP 429, Retry-After {exc.headers.get('Retry-After') or 'absent'})"
                if wait > max_wait_s:
                    raise SlackError(
                        f"Slack rate-limited the webhook and asked to wait {wait:g}s, more than {max_wait_s:g}s",
                        429,
                    ) from None
            elif exc.code >= 500:
                wait, last = float(2 ** (attempt - 1)), f"HTTP {exc.code} {reason}".strip()
            else:
                raise SlackError(
                    f"Slack refused the message: HTTP {exc.code} {reason}".strip(), exc.code
                ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            # str(URLError) is the socket error, not the URL; still redact it in case a proxy echoes it.
            wait, last = float(2 ** (attempt - 1)), redact(_scrub(str(getattr(exc, "reason", exc)), url))
        if attempt < max_attempts:
            log.info("slack webhook attempt %d failed (%s); retrying in %gs", attempt, last, wait)
            sleep(wait)
            waited += wait
    raise SlackError(f"Slack webhook failed after {max_attempts} attempts: {last}")


def _reason(exc: urllib.error.HTTPError) -> str:
    """Slack answers errors with a short plain-text code (invalid_payload, channel_not_found, ...)."""
    try:
        text = exc.read(300).decode("utf-8", errors="replace")
    except OSError:
        return ""
    return clip(" ".join(redact(text).split()), 200, marker="...")


def _scrub(text: str, url: str) -> str:
    return text.replace(url, "<webhook>")


def _retry_after(value: str | None, default: float) -> float:
    try:
        return max(0.0, float(value)) if value else default
    except ValueError:
        return default
