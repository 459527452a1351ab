"""The plain-text report: what an on-call engineer sees in a terminal at 3 a.m."""

from __future__ import annotations

from agent.report import text
from tests.agent.report import samples


def _order(out: str, *markers: str) -> list[int]:
    positions = [out.index(m) for m in markers]
    assert positions == sorted(positions), f"sections out of order: {markers}"
    return positions


def test_root_cause_report_leads_with_the_verdict_and_follows_postmortem_order() -> None:
    out = text.render(samples.root_cause())
    lines = out.splitlines()
    assert lines[0] == "SLEUTH INCIDENT REPORT: web-5xx"
    assert lines[3] == (
        "VERDICT: Root cause found: Deploy web:42 shrank the DB connection pool to 5 (86% confidence, change)"
    )
    assert lines[5].startswith("A deploy of prod/web at 14:02 set DB_POOL_SIZE to 5")
    _order(
        out,
        "VERDICT:",
        "Impact: began 2026-11-26 14:05:00 UTC",
        "TIMELINE (UTC)",
        "CAUSAL CHAIN",
        "HYPOTHESES, RANKED",
        "REMEDIATION NOW",
        "PREVENTION LATER",
        "EVIDENCE",
        "CHARTS",
        "DATA GAPS",
        "OBSERVABILITY GAPS",
        "STATS",
    )


def test_timeline_is_in_time_order_with_offsets_from_impact_start() -> None:
    out = text.render(samples.root_cause())
    rows = [line for line in out.splitlines() if line.startswith("  14:")]
    assert rows == [
        "  14:02:00  T-3m     change   alice deployed web:42 [ev-1]",
        "  14:05:00  T+0m     onset    5XX responses begin [ev-3]",
        "  14:07:00  T+2m     alarm    web-5xx went to ALARM",
        "  14:09:00  T+4m     symptom  pool timeouts in /ecs/web [ev-2]",
    ]


def test_chain_runs_from_root_cause_to_symptom() -> None:
    out = text.render(samples.root_cause())
    chain = out.split("CAUSAL CHAIN (ROOT CAUSE -> SYMPTOM)\n")[1].split("\n\n")[0].splitlines()[1:]
    assert chain == [
        "  ecs:prod/web (task def web:42) (root cause)",
        "  -> rds:orders-db",
        "  -> alb:app/prod-alb/50dc6c495c0c9188 (symptom)",
    ]


def test_hypotheses_ranked_with_confidence_category_and_cited_evidence() -> None:
    out = text.render(samples.root_cause())
    section = out.split("HYPOTHESES, RANKED")[1].split("REMEDIATION NOW")[0]
    h1, h2, h3 = (section.index(f"  H{i} ") for i in (1, 2, 3))
    assert h1 < h2 < h3  # given out of order, rendered by rank
    assert (
        "H1   86%  change             confirmed  Deploy web:42 shrank the DB connection pool to 5" in section
    )
    assert "supported by: ev-1, ev-2, ev-3" in section
    assert "H2   31%  limit" in section and "contradicted by: ev-4" in section
    assert "H3    5%  component_failure  ruled out" in section


def test_remediation_is_an_action_verb_and_a_command_prevention_is_separate() -> None:
    out = text.render(samples.root_cause())
    remediation = out.split("REMEDIATION NOW")[1].split("PREVENTION LATER")[0]
    assert "1. ROLLBACK: Roll prod/web back to task definition web:41" in remediation
    assert "$ aws ecs update-service --cluster prod --service web --task-definition web:41" in remediation
    assert "Raise max_connections" not in out  # H2's fix is not the verdict's remediation
    prevention = out.split("PREVENTION LATER")[1].split("EVIDENCE")[0]
    assert "Review config diffs of connection settings in pull requests." in prevention


def test_each_evidence_has_its_rerun_call_and_aws_cli() -> None:
    out = text.render(samples.root_cause())
    assert f're-run: cloudtrail_lookup(key="EventId", value="{samples.EVENT_ID}"' in out
    assert (
        f"aws cli: aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={samples.EVENT_ID}"
        in out
    )
    # 14:00Z on 2026-11-26 is epoch 1795701600; commands stay on one line to copy and paste.
    assert (
        "aws cli: aws logs start-query --log-group-names /ecs/web --start-time 1795701600 --end-time 1795703400 "
        f"--query-string '{samples.INSIGHTS_QUERY}' --limit 50" in out
    )
    assert "aws cloudwatch get-metric-data --metric-data-queries" in out
    assert "--start-time 2026-11-26T11:00:00Z" in out  # metric_series reads a 3 h baseline first
    assert "[ev-2] log_pattern · 2026-11-26 14:05:00 UTC to 2026-11-26 14:30:00 UTC (cited by H1, H2)" in out
    assert "[ev-1] change_event · ecs:prod/web · 2026-11-26 14:02:00 UTC (cited by H1)" in out


def test_secrets_from_logs_are_redacted() -> None:
    out = text.render(samples.root_cause())
    assert samples.SECRET not in out
    assert samples.ACCESS_KEY not in out
    assert "password=[REDACTED]" in out and "postgres://app:[REDACTED]@orders-db" in out
    assert "AKIA****************" in out


def test_terminal_escape_sequences_from_logs_are_stripped() -> None:
    report = samples.root_cause()
    report.evidence[1].summary = "boom \x1b[2J\x1b[31mred\x07 done"
    out = text.render(report)
    assert "\x1b" not in out and "\x07" not in out
    assert "boom [2J[31mred done" in out


def test_chart_is_sketched_with_its_range_and_onset() -> None:
    out = text.render(samples.root_cause())
    charts = out.split("CHARTS")[1].split("DATA GAPS")[0]
    assert "ALB 5XX responses (Count/min) [ev-3]" in charts
    # 35 zero minutes then 25 at 240: the sketch is flat then full height.
    assert "▁" * 35 + "█" * 25 + "  min 0, max 240" in charts
    assert "13:30 to 14:29 UTC, onset 14:05" in charts
    assert "| 14:02 cause: deploy web:42" in charts


def test_stats_line() -> None:
    out = text.render(samples.root_cause())
    assert out.rstrip().endswith("planner rules · 14 tool calls · 37 AWS calls · 1m23s · 0 model tokens")


def test_no_fault_claims_no_root_cause() -> None:
    out = text.render(samples.no_fault())
    assert "VERDICT: No fault found" in out
    assert "Root cause found" not in out
    assert "CAUSAL CHAIN" not in out and "REMEDIATION NOW" not in out and "PREVENTION LATER" not in out
    assert "Roll checkout back" not in out  # a ruled-out idea's fix is not advice
    assert "No root cause is claimed" in out
    assert "Impact: none found; investigated 2026-11-26 14:00:00 UTC to 2026-11-26 14:30:00 UTC (30m)" in out
    checked = out.split("WHAT WAS CHECKED AND RULED OUT")[1]
    assert "H1    2%  change             ruled out  A recent deploy broke checkout" in checked
    assert "why: No deploy or config change in the 6 hours before the question." in checked


def test_inconclusive_puts_missing_data_first_and_offers_only_conditional_fixes() -> None:
    out = text.render(samples.inconclusive())
    assert "VERDICT: Inconclusive: cannot tell from this data" in out
    assert "Root cause found" not in out and "CAUSAL CHAIN" not in out and "REMEDIATION NOW" not in out
    _order(
        out,
        "VERDICT:",
        "DATA GAPS",
        "OBSERVABILITY GAPS",
        "TIMELINE",
        "CANDIDATES, NONE CONFIRMED",
        "EVIDENCE",
    )
    assert "  - CloudTrail lookup was denied (AccessDenied)" in out
    assert "  - Enable Enhanced Monitoring on orders-db" in out
    assert "if confirmed: scale - Raise provisioned IOPS" in out
    assert "caps hit: tool_calls" in out


def test_missing_evidence_id_is_flagged_not_hidden() -> None:
    report = samples.root_cause()
    next(h for h in report.hypotheses if h.rank == 3).evidence = ["ev-5", "ev-99"]
    out = text.render(report)
    assert "supported by: ev-1, ev-2, ev-3" in out
    assert "supported by: ev-5, ev-99 (not in this report)" in out


def test_text_wraps_at_the_width_given_within_bounds() -> None:
    report = samples.root_cause()
    report.summary = "word " * 200
    for width, bound in ((72, 72), (140, 140), (20, text.MIN_WIDTH), (400, text.MAX_WIDTH)):
        out = text.render(report, width=width)
        prose = [line for line in out.splitlines() if line.startswith("word")]
        assert max(len(line) for line in prose) <= bound
        assert max(len(line) for line in prose) > bound - 6


def test_colour_only_when_asked_and_never_from_data() -> None:
    report = samples.root_cause()
    report.evidence[1].summary += " \x1b[2J\x1b]0;pwned\x07"
    plain = text.render(report)
    assert "\x1b" not in plain
    coloured = text.render(report, colour=True)
    assert "\x1b[1;31mVERDICT: Root cause found" in coloured
    assert "\x1b[1mTIMELINE (UTC)\x1b[0m" in coloured
    assert "\x1b[36m     $ aws ecs update-service" in coloured
    # Every escape sequence in the output is one of the renderer's own SGR codes.
    import re

    assert set(re.findall(r"\x1b\[[0-9;]*m", coloured)) <= {f"\x1b[{c}m" for c in [*text.STYLE.values(), "0"]}
    assert "\x1b[2J" not in coloured and "\x1b]" not in coloured
    # Removing the codes gives the plain report back.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_times_on_the_askers_clock_beside_utc() -> None:
    report = samples.root_cause()
    report.timezone = "Europe/Berlin"
    out = text.render(report)
    assert "Impact: began 2026-11-26 14:05:00 UTC (15:05 CET)" in out
    assert "TIMELINE (UTC; ASKER'S CLOCK CET)" in out
    assert "  14:02:00  15:02  T-3m     change   alice deployed web:42 [ev-1]" in out.splitlines()
    report.timezone = "+00:00"  # the asker's clock is UTC: nothing to add
    assert "TIMELINE (UTC)\n" in text.render(report)
    report.timezone = "Not/AZone"  # a stored report with an unreadable zone still renders, in UTC
    assert "Impact: began 2026-11-26 14:05:00 UTC;" in text.render(report)
