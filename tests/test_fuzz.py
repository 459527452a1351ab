"""Property-based fuzzing (hypothesis) of what strangers hand Sleuth: bundle lines, manifests, alarm
events and questions, through the public entry points. Every input ends in a result or the entry point's
own one-line error (BundleError, EventError, ValueError), never another exception.

Generated inputs are derandomized so the suite is repeatable; about 3,000 inputs run in total.
"""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.report import html, markdown, text
from agent.report.model import Report, Stats
from agent.scope import from_trigger
from agent.triggers.dedupe import DedupePolicy
from agent.triggers.events import EventError, parse_event
from agent.triggers.runner import on_alarm
from agent.triggers.sqlite_store import SQLiteStore
from evals.bundle import Bundle, BundleError
from evals.bundle.bundle import KINDS, Limits
from tests.agent.triggers.conftest import FakeInvestigator, sample
from tests.conftest import BASE_MANIFEST
from tools.redact import redact

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FUZZ = settings(
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
KEYS = ["namespace", "metric", "timestamp", "value", "log_group", "message", "service", "type", "item"]
# Records near the real shapes (known keys, wrong types and values), and plain garbage.
record_like = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)


def _line(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


lines = st.one_of(
    record_like.map(_line),
    json_values.map(_line),
    st.binary(max_size=80),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
)


def _load(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, body in files.items():
            (root / name).write_bytes(body)
        error = ""
        try:
            Bundle.load(root, limits=Limits(max_line_bytes=64 * 1024))
        except BundleError as exc:
            error = str(exc)
        assert "\n" not in error  # one line, naming the file


@settings(FUZZ, max_examples=800)
@given(kind=st.sampled_from(sorted(KINDS)), body=st.lists(lines, min_size=1, max_size=4))
def test_bundle_lines(kind: str, body: list[bytes]) -> None:
    _load({"manifest.json": _line(BASE_MANIFEST), KINDS[kind][0]: b"\n".join(body) + b"\n"})


manifest_edits = st.dictionaries(
    st.sampled_from([*BASE_MANIFEST, "trigger", "truth", "extra"]), json_values, max_size=4
)


@settings(FUZZ, max_examples=400)
@given(edits=manifest_edits, raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_manifests(edits: dict[str, Any], raw: bytes | None) -> None:
    body = raw if raw is not None else _line({**BASE_MANIFEST, **edits})
    _load({"manifest.json": body})


def _set(event: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(event)
    here: Any = out
    for key in path[:-1]:
        if not isinstance(here.get(key), dict):
            here[key] = {}
        here = here[key]
    here[path[-1]] = value
    return out


EVENT_PATHS = [
    ["detail"],
    ["time"],
    ["account"],
    ["region"],
    ["detail", "alarmName"],
    ["detail", "state"],
    ["detail", "state", "value"],
    ["detail", "state", "timestamp"],
    ["detail", "state", "reasonData"],
    ["detail", "configuration"],
    ["detail", "configuration", "metrics"],
    ["detail", "configuration", "alarmRule"],
]
timestamps = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000+0000")),
    st.text(max_size=30),
)
events = st.one_of(
    st.tuples(
        st.sampled_from(["single_metric", "metric_math", "composite", "anomaly_detection"]),
        st.lists(st.tuples(st.sampled_from(EVENT_PATHS), st.one_of(json_values, timestamps)), max_size=3),
    ).map(lambda t: _mutated(*t)),
    json_values,
    st.binary(max_size=60),
)


def _mutated(name: str, edits: list[tuple[list[str], Any]]) -> Any:
    event = sample(name)
    for path, value in edits:
        event = _set(event, path, value)
    return event


STORE = SQLiteStore(":memory:", DedupePolicy(cap=1000))


@settings(FUZZ, max_examples=1000)
@given(event=events)
def test_alarm_events(event: Any) -> None:
    field = "-"
    try:
        parse_event(event)
    except EventError as exc:
        field = exc.field
    assert field  # a refusal names the field at fault
    result = on_alarm(event, FakeInvestigator(), STORE, clock=lambda: NOW)
    assert result["status"] in {"investigated", "joined", "queued", "ignored", "unprocessed"}


questions = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "why",
                "5xx",
                "at",
                "11:15",
                "25:99",
                "yesterday",
                "since",
                "2h",
                "-3m",
                "checkout",
                "[/x]",
                "\x1b[2J",
                "i-0123456789abcdef0",
                "between",
                "and",
                "UTC",
                "+14:00",
                "9999-01-01",
                "00:00",
            ]
        ),
        max_size=12,
    ).map(" ".join),
)


@settings(FUZZ, max_examples=600)
@given(question=questions)
def test_questions(question: str) -> None:
    try:
        scope = from_trigger(question, None, NOW)
    except ValueError:
        return  # the entry point's usage error (the CLI prints it in one line)
    assert scope.start < scope.end


@settings(FUZZ, max_examples=300)
@given(words=st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_report_text_from_anywhere_renders_and_stays_redacted(words: list[str]) -> None:
    phrase = " ".join(words)
    report = Report(
        verdict="inconclusive",
        summary=phrase,
        question=phrase,
        hypotheses=[],
        evidence=[],
        timeline=[],
        data_gaps=[phrase],
        observability_gaps=[],
        stats=Stats(),
    )
    for render in (text.render, markdown.render, html.render):
        assert isinstance(render(report), str)
    once = redact(phrase)
    assert redact(once) == once
