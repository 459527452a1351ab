"""Slack delivery: Block Kit within Slack's limits, posted to a webhook served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agent.report.model import Report, ReportRemediation
from agent.triggers.delivery import slack
from agent.triggers.delivery.config import DeliveryConfigError
from agent.triggers.delivery.slack import SlackError, build_message, post
from agent.triggers.delivery.truncate import utf16_len
from tests.agent.report import samples

LINK = "https://reports.s3.amazonaws.com/sleuth/2026/11/26/web-5xx/inv-1/report.html?a=1&b=2"
NOTICE = "Full report: in the Sleuth log under investigation inv-1 (no report bucket configured)."


def check_slack_limits(message: dict[str, Any]) -> None:
    """Slack's documented Block Kit limits, checked independently of the code under test."""
    assert isinstance(message.get("text"), str) and 0 < len(message["text"]) <= 4000
    blocks = message["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        kind = block["type"]
        assert kind in {"header", "section", "divider", "context"}
        if kind == "header":
            assert block["text"]["type"] == "plain_text" and utf16_len(block["text"]["text"]) <= 150
        if kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < utf16_len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for f in block.get("fields", []):
                assert 0 < utf16_len(f["text"]) <= 2000
        if kind == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(utf16_len(e["text"]) <= 3000 for e in block["elements"])
    texts = mrkdwn_texts(message)
    assert all(text.count("```") % 2 == 0 for text in texts), "a code block is left open"
    # Slack refuses blocks holding ~13,000 characters in all (msg_blocks_too_long), below the documented caps
    assert sum(utf16_len(t) for t in texts[1:]) <= 12_000


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    out = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [e["text"] for e in block.get("elements", [])]
    return out


class SlackServer:
    """A local incoming-webhook endpoint: records each POSTed JSON body, answers from a script."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.script: list[tuple[int, dict[str, str], str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.raw.append(body)
                assert self.headers["Content-Type"].startswith("application/json")
                outer.posts.append(json.loads(body))
                status, headers, text = outer.script.pop(0) if outer.script else (200, {}, "ok")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/services/T000/B000/XXXXSECRETXXXX"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def webhook() -> Iterator[SlackServer]:
    server = SlackServer()
    yield server
    server.close()


def message(report: Report, link: str | None = LINK) -> dict[str, Any]:
    built = build_message(report, investigation_id="inv-1", link=link, link_notice=NOTICE)
    check_slack_limits(built)
    return built


def test_root_cause_message_leads_with_verdict_hypotheses_and_first_command(webhook: SlackServer) -> None:
    sent = message(samples.root_cause())
    posted = post(webhook.url, sent, sleep=lambda _s: None)
    assert posted.attempts == 1 and webhook.posts == [sent]
    blocks = sent["blocks"]
    assert blocks[0]["text"]["text"] == ":rotating_light: Root cause found: web-5xx"
    verdict = blocks[1]["text"]["text"]
    assert verdict.startswith(
        "*Root cause found: Deploy web:42 shrank the DB connection pool to 5 (86% confidence, change)*\n"
        "A deploy of prod/web at 14:02"
    )
    fields = [f["text"] for f in blocks[2]["fields"]]
    assert fields[0] == "*Alarm*\n`web-5xx`" and fields[-1] == "*Investigation*\n`inv-1`"
    assert blocks[3]["text"]["text"].split("\n") == [
        "*Top hypotheses*",
        "1. *Deploy web:42 shrank the DB connection pool to 5* — 86% · change · `ecs:prod/web`",
        "2. *orders-db ran out of connections* — 31% · limit · `rds:orders-db`",
        "3. *An availability zone impairment* — 5% · component_failure · ruled out · `az:us-east-1a`",
    ]
    assert blocks[4]["text"]["text"] == (
        "*First remediation: rollback* — Roll prod/web back to task definition web:41\n"
        "```\naws ecs update-service --cluster prod --service web --task-definition web:41\n```"
    )
    # '&' in the URL is escaped as Slack asks for all text; the link is the S3 report
    assert blocks[6]["text"]["text"] == f":page_facing_up: <{LINK.replace('&', '&amp;')}|Full report (HTML)>"
    assert blocks[-1]["type"] == "context" and "14 tool calls" in blocks[-1]["elements"][0]["text"]
    assert sent["text"].startswith("Sleuth: Root cause found: Deploy web:42 shrank the DB connection pool")


def test_part_budgets_add_up_to_less_than_slack_accepts() -> None:
    parts = [slack.SUMMARY_TEXT, slack.HYPOTHESES_TEXT, slack.REMEDIATION_TEXT, slack.LINK_TEXT]
    fields = 4 * slack.FIELD_BUDGET
    assert slack.HEADER_TEXT + sum(parts) + fields + slack.CONTEXT_TEXT <= slack.MESSAGE_TEXT
    assert max(parts) <= slack.SECTION_TEXT and slack.FIELD_BUDGET <= slack.FIELD_TEXT
    assert slack.LINK_TEXT <= slack.URL_LENGTH


def test_without_a_report_link_the_message_says_where_the_report_is() -> None:
    sent = message(samples.root_cause(), link=None)
    assert sent["blocks"][6]["text"]["text"] == f":page_facing_up: {NOTICE}"


def test_a_link_too_long_for_slack_is_not_cut() -> None:
    sent = message(samples.root_cause(), link="https://example.com/" + "x" * 3000)
    assert sent["blocks"][6]["text"]["text"] == (
        ":page_facing_up: The full report is stored; its link is too long for Slack."
    )


def test_inconclusive_shows_the_conditional_first_step_and_no_fault_shows_none() -> None:
    blocks = message(samples.inconclusive())["blocks"]
    assert blocks[0]["text"]["text"] == ":warning: Inconclusive: cannot tell from this data: web errors"
    step = next(b for b in blocks if "first step" in b.get("text", {}).get("text", ""))
    assert step["text"]["text"] == "*If confirmed, first step: scale* — Raise provisioned IOPS"
    blocks = message(samples.no_fault())["blocks"]
    texts = [b.get("text", {}).get("text", "") for b in blocks]
    assert texts[3].startswith("*Checked and ruled out*\n1. *A recent deploy broke checkout* — 2%")
    assert not any("remediation" in t or "first step" in t for t in texts)


def test_oversized_report_is_cut_inside_every_limit_without_breaking_code_or_escapes() -> None:
    report = samples.root_cause()
    report.alarm = "a" * 400
    report.summary = "latency & errors <rising> " * 600  # 15,600 characters, all needing escapes
    top = next(h for h in report.hypotheses if h.rank == 1)
    top.title = "T" * 5000
    top.remediation = [
        ReportRemediation(action="rollback", description="d" * 4000, command="echo '<&>' " * 1000)
    ]
    sent = message(report)  # checks every limit and that each code block is closed
    section = sent["blocks"][1]["text"]["text"]
    assert 2490 <= utf16_len(section) <= 2500  # filled to its budget, not dropped
    assert section.endswith("…") and not section.rstrip("…").endswith(("&", "&a", "&am", "&amp", "&l", "&g"))
    step = sent["blocks"][4]["text"]["text"]
    assert step.endswith("```\n_Command truncated; the full command is in the report._")
    assert "echo '&lt;&amp;&gt;'" in step
    assert len(sent["blocks"][0]["text"]["text"]) == 150
    assert json.loads(json.dumps(sent)) == sent


def test_untrusted_text_cannot_mention_or_link() -> None:
    report = samples.root_cause()
    report.summary = "ping <!channel> and <https://evil.example|click here> & <@U123>"
    section = message(report)["blocks"][1]["text"]["text"]
    assert section.endswith(
        "ping &lt;!channel&gt; and &lt;https://evil.example|click here&gt; &amp; &lt;@U123&gt;"
    )


def test_a_command_holding_a_code_fence_is_not_mangled() -> None:
    report = samples.root_cause()
    top = next(h for h in report.hypotheses if h.rank == 1)
    top.remediation[0].command = "printf '```'"
    step = message(report)["blocks"][4]["text"]["text"]
    assert "```" not in step and "copy it from the full report" in step


def test_429_is_retried_after_retry_after(webhook: SlackServer) -> None:
    webhook.script = [(429, {"Retry-After": "2"}, "rate_limited"), (429, {}, "rate_limited")]
    slept: list[float] = []
    sent = message(samples.no_fault())
    posted = post(webhook.url, sent, sleep=slept.append)
    # Retry-After is honoured; without one the wait backs off with the attempt number
    assert posted.attempts == 3 and slept == [2.0, 2.0] and posted.waited_s == 4.0
    assert webhook.posts == [sent, sent, sent]


def test_429_for_ever_gives_up_and_a_long_retry_after_is_not_waited_for(webhook: SlackServer) -> None:
    webhook.script = [(429, {"Retry-After": "1"}, "rate_limited")] * 3
    with pytest.raises(SlackError, match=r"after 3 attempts: rate limited \(HTTP 429, Retry-After 1\)"):
        post(webhook.url, message(samples.no_fault()), sleep=lambda _s: None)
    webhook.script = [(429, {"Retry-After": "3600"}, "rate_limited")]
    with pytest.raises(SlackError, match="asked to wait 3600s, more than 30s") as err:
        post(webhook.url, message(samples.no_fault()), sleep=lambda _s: None)
    assert err.value.status == 429 and len(webhook.posts) == 4


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (400, "invalid_payload"),
        (403, "action_prohibited"),
        (404, "channel_not_found"),
        (410, "channel_is_archived"),
    ],
)
def test_4xx_is_a_clear_error_without_the_webhook_url(webhook: SlackServer, status: int, reason: str) -> None:
    webhook.script = [(status, {}, reason)]
    with pytest.raises(SlackError) as err:
        post(webhook.url, message(samples.no_fault()), sleep=lambda _s: None)
    assert str(err.value) == f"Slack refused the message: HTTP {status} {reason}"
    assert err.value.status == status and len(webhook.posts) == 1  # not retried
    assert "SECRET" not in str(err.value) and err.value.__cause__ is None


def test_5xx_and_unreachable_are_retried_then_reported(webhook: SlackServer) -> None:
    webhook.script = [(500, {}, "rollup_error")]
    slept: list[float] = []
    assert post(webhook.url, message(samples.no_fault()), sleep=slept.append).attempts == 2
    assert slept == [1.0]
    url = webhook.url
    webhook.close()
    slept.clear()
    with pytest.raises(SlackError, match="failed after 3 attempts") as err:
        post(url, message(samples.no_fault()), sleep=slept.append, timeout_s=2)
    assert slept == [1.0, 2.0] and "SECRET" not in str(err.value)


def test_webhook_must_be_https_except_on_loopback() -> None:
    with pytest.raises(DeliveryConfigError, match="must be an https:// URL") as err:
        post("http://hooks.slack.com/services/T/B/XXXXSECRET", {"text": "x"})
    assert "XXXXSECRET" not in str(err.value)
    slack.check_webhook_url("https://hooks.slack.com/services/T/B/X")
