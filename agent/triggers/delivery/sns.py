"""SNS: the report as Markdown to a topic, with a short subject for email subscribers.

Publish's limits (SNS API reference): the message at most 256 KiB of UTF-8 (262,144 bytes, not
characters); the subject less than 100 characters, no line breaks or control characters (older
references say ASCII, which all endpoints accept, so the subject is kept ASCII). FIFO topics need a
MessageGroupId and, without content-based deduplication, a MessageDeduplicationId (up to 128 characters).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from agent.report import markdown, view
from agent.report.model import Report
from agent.triggers.delivery.truncate import clip, truncate_markdown, utf8_len

MAX_MESSAGE_BYTES = 262_144
MAX_SUBJECT = 99
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")
_NOT_ID = re.compile(r"[^A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]")


def subject(report: Report) -> str:
    """'Sleuth: <verdict> - <alarm>' as printable ASCII, under 100 characters."""
    r = view.prepare(report)
    name = r.alarm or r.title or r.question or "incident investigation"
    text = f"Sleuth: {view.verdict_heading(r)} - {name}"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    one_line = " ".join(_NOT_PRINTABLE_ASCII.sub(" ", ascii_text).split())
    return clip(one_line, MAX_SUBJECT, measure=len, marker="...")


def message(report: Report, *, link: str | None, link_notice: str) -> tuple[str, bool]:
    """The Markdown report (the renderer redacts it), led by where the full report is, cut to fit SNS.

    Returns (message, truncated)."""
    where = f"Full report: {link}" if link else link_notice
    body = f"{where}\n\n{markdown.render(report)}"
    total = utf8_len(body)
    notice = f"[Report truncated to fit SNS's 256 KiB message limit ({total:,} bytes in full). {where}]"
    return truncate_markdown(body, MAX_MESSAGE_BYTES, notice)


def fifo_ids(topic_arn: str, group: str, dedupe: str) -> dict[str, str]:
    """The FIFO parameters for a .fifo topic (nothing for a standard one)."""
    if not topic_arn.endswith(".fifo"):
        return {}
    return {"MessageGroupId": _id(group), "MessageDeduplicationId": _id(dedupe)}


def _id(value: str) -> str:
    clean = _NOT_ID.sub("-", value) or "sleuth"
    if len(clean) <= 128:
        return clean
    return clean[:111] + "-" + hashlib.sha256(value.encode()).hexdigest()[:16]


def publish(
    client: Any, topic_arn: str, report: Report, *, investigation_id: str, link: str | None, link_notice: str
) -> tuple[str, bool]:
    """Publish the report; returns (SNS message id, whether the body was truncated)."""
    body, truncated = message(report, link=link, link_notice=link_notice)
    params: dict[str, Any] = {"TopicArn": topic_arn, "Subject": subject(report), "Message": body}
    params.update(fifo_ids(topic_arn, report.alarm or "sleuth", investigation_id))
    response = client.publish(**params)
    return str(response["MessageId"]), truncated
