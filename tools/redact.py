"""Secrets that may appear in log lines or parameters are masked before any text leaves a tool."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b"), r"\1****************"),
    (
        re.compile(
            r"(?i)\b(aws_secret_access_key|secret[_-]?key|password|passwd|pwd|token|api[_-]?key|client[_-]?secret)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]{4,})"
        ),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}"), r"\1 [REDACTED]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), "[REDACTED-JWT]"),
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
        "[REDACTED-PRIVATE-KEY]",
    ),
    (re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})"), "[REDACTED-SLACK-TOKEN]"),
    (re.compile(r"(?i)(://[^/\s:@]+:)([^@\s/]+)(@)"), r"\1[REDACTED]\3"),
]


def redact(text: str) -> str:
    """Mask access keys, passwords, tokens, JWTs, private keys and URL credentials in `text`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
