"""Log evidence: error surges per log group, and new or surging message patterns with what they say."""

from __future__ import annotations

import re
from datetime import datetime

from agent.analyzers import Draft, strength_from_z
from tools.logs import ErrorCounts, LogTemplates

# What a log message says, generically.
MESSAGE_SIGNALS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"accessdenied|not authorized|unauthorized|forbidden|permission denied", re.I),
        "access_denied_logs",
    ),
    (
        re.compile(
            r"too many connections|aborted connection|connection pool|can'?t connect to (my)?sql|"
            r"could not connect to (the )?(database|server)|max_connections|connection.*(database|db|mysql|postgres)",
            re.I,
        ),
        "db_connection_errors",
    ),
    (re.compile(r"timed? ?out|timeout|deadline exceeded", re.I), "timeout_logs"),
    (
        re.compile(r"connection (refused|reset)|econnrefused|econnreset|no route to host|unreachable", re.I),
        "connection_refused_logs",
    ),
    (re.compile(r"out ?of ?memory|oom|killed process|memoryerror|cannot allocate memory", re.I), "oom_logs"),
    (
        re.compile(
            r"throttl|rate exceeded|too many requests|toomanyrequests|slow ?down|provisionedthroughputexceeded",
            re.I,
        ),
        "throttling_logs",
    ),
    (
        re.compile(
            r"no space left|disk full|enospc|storage[- ]full|storage (has been|is) exhausted|table .* is full",
            re.I,
        ),
        "disk_full_logs",
    ),
    (
        re.compile(
            r"free (ip )?addresses|insufficientfreeaddresses|no free ip|ip address(es)? (exhausted|available)",
            re.I,
        ),
        "subnet_addresses_exhausted",
    ),
    (re.compile(r"kms|disabledexception|kmsinvalidstate|key .*disabled", re.I), "kms_errors"),
]


def message_signals(text: str) -> list[str]:
    return [signal for pattern, signal in MESSAGE_SIGNALS if pattern.search(text)]


def owner_of(log_group: str) -> str:
    """The resource a log group belongs to, by the names AWS services use; else the group itself."""
    for pattern in (
        r"^/aws/lambda/([^/]+)",
        r"^/aws/rds/(?:cluster|instance)/([^/]+)/",
        r"^/aws/ecs/(?:containerinsights/)?([^/]+)",
        r"^/ecs/([^/]+)",
    ):
        m = re.match(pattern, log_group)
        if m:
            return m.group(1)
    return log_group


def from_error_counts(out: ErrorCounts, window_end: datetime | None = None) -> list[Draft]:
    drafts: list[Draft] = []
    for g in out.groups:
        s = g.stats
        if s.direction != "up" or s.onset is None:
            continue
        drafts.append(
            Draft(
                kind="log_pattern",
                resource=owner_of(g.log_group),
                start=s.onset,
                end=window_end,
                summary=f"error-like lines in {g.log_group} rose: {s.text()} ({g.total} lines)",
                signals=["log_errors_up"],
                strength=strength_from_z(s.score) or 0.3,
                facts={
                    "log_group": g.log_group,
                    "total": g.total,
                    "onset": s.onset.isoformat(),
                    "query": out.query,
                    "resolution_s": out.bin_minutes * 60,
                },
            )
        )
    return drafts


def from_templates(
    out: LogTemplates, log_groups: list[str], start: datetime | None, end: datetime | None
) -> list[Draft]:
    drafts: list[Draft] = []
    owner = owner_of(log_groups[0]) if len(log_groups) == 1 else None
    for t in out.templates:
        if t.kind not in ("new", "surging"):
            continue
        where = owner
        if t.streams and t.window_count:
            stream, n = t.streams[0]
            instance = re.search(r"\bi-[0-9a-f]{8,17}\b", stream)
            if instance and n / t.window_count >= 0.8:
                where = instance.group(0)  # one host writes (nearly) all of it: the pattern is that host's
        said = message_signals(t.template + " " + t.example)
        if not said and not re.search(r"error|exception|fail|fatal|critical|warn", t.template, re.I):
            continue
        drafts.append(
            Draft(
                kind="log_pattern",
                resource=where,
                start=None,
                end=end,
                summary=f"{t.kind} log pattern x{t.window_count} (baseline {t.baseline_count}): {t.template[:200]}",
                signals=["new_error_pattern", *said],
                strength=min(0.9, 0.35 + 0.05 * min(t.window_count, 10)),
                facts={
                    "template": t.template,
                    "example": t.example,
                    "log_groups": log_groups,
                    "kind": t.kind,
                },
            )
        )
    return drafts
