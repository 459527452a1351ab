"""Failed reads become gaps, caps and the call budget are respected, and the bundle still validates.

The "live" account is a replayed bundle; AWS's refusals are scripted with a botocore `before-call`
handler on the live session (the mechanism botocore's Stubber uses), so the capture code sees exactly
the ClientError AWS would raise.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from evals.bundle import Bundle
from evals.capture import capture
from evals.capture.cloudtrail import capture_cloudtrail
from evals.capture.inventory import classify
from evals.capture.logs import capture_group
from evals.capture.reader import Reader
from evals.capture.report import CaptureReport
from evals.capture.traces import capture_traces
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.tools.conftest import FAST
from tests.tools.test_changes import real_records
from tests.tools.test_traces import chain_trace
from tools.aws import AwsClients, CallBudget

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
WINDOW = {"start": NOW - timedelta(hours=1), "end": NOW, "now": NOW, "baseline": timedelta(hours=1)}


def events(group: str, stream: str, times_ms: list[int]) -> list[dict[str, Any]]:
    return [
        {"log_group": group, "log_stream": stream, "timestamp": t, "message": f"{group} event {n}"}
        for n, t in enumerate(times_ms)
    ]


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def live(records: dict[str, list[Any]], budget: int = 500) -> tuple[AwsClients, boto3.Session]:
    session, _ = replay_session(make_bundle(records))
    return AwsClients(session, budget=CallBudget(limit=budget), retry=FAST), session


def refuse(session: boto3.Session, service: str, operation: str, code: str, status: int = 400) -> None:
    """Make AWS answer `operation` with the error `code`, as it does for an account that may not call it."""

    def answer(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if (model.service_model.service_name, model.name) != (service, operation):
            return None
        body = {
            "Error": {"Code": code, "Message": f"{code} for {operation}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("https://aws.invalid", status, {}, None), body

    # Between the call budget (registered first) and replay's answer (registered last).
    session.events.register("before-call", answer)


def script(session: boto3.Session, service: str, operation: str, body: dict[str, Any]) -> None:
    """Make AWS answer `operation` with `body` (as botocore would have parsed it)."""

    def answer(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if (model.service_model.service_name, model.name) != (service, operation):
            return None
        return AWSResponse("https://aws.invalid", 200, {}, None), {
            **body,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    session.events.register("before-call", answer)


def run(aws: AwsClients, resources: list[str], **kwargs: Any) -> Any:
    return capture(aws, alarm=None, resources=resources, title="limits", **WINDOW, **kwargs)


def test_denied_and_unsubscribed_reads_are_gaps_and_the_capture_goes_on() -> None:
    start = NOW - timedelta(hours=2)
    aws, session = live(
        {"logs": events("/app/a", "s", [ms(start + timedelta(minutes=m)) for m in range(120)])}
    )
    refuse(session, "health", "DescribeEvents", "SubscriptionRequiredException")
    refuse(session, "cloudtrail", "LookupEvents", "AccessDeniedException")
    captured = run(aws, ["/app/a"])
    gaps = {(g.operation, g.code) for g in captured.report.gaps}
    assert ("health:DescribeEvents", "SubscriptionRequiredException") in gaps
    assert ("cloudtrail:LookupEvents", "AccessDeniedException") in gaps
    assert "cloudtrail" not in captured.bundle.kinds()
    assert len(list(captured.bundle.records("logs"))) == 120  # the two hours from start - baseline to now
    assert captured.bundle.validate()["logs"] == 120
    assert "gap: [events] health:DescribeEvents: SubscriptionRequiredException" in captured.report.text()


def test_throttling_past_retries_is_a_gap_with_every_attempt_counted() -> None:
    aws, session = live({})
    refuse(session, "logs", "DescribeLogGroups", "ThrottlingException")
    captured = run(aws, ["/app/a"])
    assert ("logs:DescribeLogGroups", "ThrottlingException") in {
        (g.operation, g.code) for g in captured.report.gaps
    }
    assert aws.budget.by_operation["logs:DescribeLogGroups"] == FAST.attempts


def test_the_call_budget_bounds_the_capture_and_the_bundle_still_validates(tmp_path: Any) -> None:
    aws, _ = live({"logs": events("/app/a", "s", [ms(NOW - timedelta(minutes=5))])}, budget=6)
    captured = run(aws, ["/app/a", "i-0123456789abcdef0"])
    assert aws.budget.used == 6
    assert captured.report.calls == 6
    assert [g.code for g in captured.report.gaps].count("budget") == 1
    assert any("not sent after the call budget ran out" in n for n in captured.report.notes)
    Bundle.load(captured.bundle.write(tmp_path / "b"))


def test_log_cap_is_shared_fairly_and_keeps_the_newest() -> None:
    first = NOW - timedelta(hours=2)
    quiet = events("/app/quiet", "q", [ms(first + timedelta(minutes=m)) for m in range(10)])
    busy = events("/app/busy", "b", [ms(first + timedelta(minutes=m)) for m in range(100)])
    aws, _ = live({"logs": quiet + busy})
    captured = run(aws, ["/app/quiet", "/app/busy"], max_log_events=60)
    kept = list(captured.bundle.records("logs"))
    by_group = {g: [r["message"] for r in kept if r["log_group"] == g] for g in ("/app/quiet", "/app/busy")}
    assert by_group["/app/quiet"] == [f"/app/quiet event {n}" for n in range(10)]
    # the quiet group leaves 20 of its 30 to the busy one: its newest 50, minutes 50..99
    assert by_group["/app/busy"] == [f"/app/busy event {n}" for n in range(50, 100)]
    cuts = [c for c in captured.report.cuts if c.source == "logs"]
    assert len(cuts) == 1
    assert (cuts[0].kept, cuts[0].seen) == (50, 100)
    assert "/app/busy" in cuts[0].detail
    assert "2024-05-01T04:50:00Z" in cuts[0].detail


def test_a_burst_inside_one_second_still_keeps_the_newest() -> None:
    burst_start = ms(NOW - timedelta(minutes=30))
    burst = events("/app/burst", "s", [burst_start + 2 * n for n in range(450)])
    early = events("/app/burst", "e", [ms(NOW - timedelta(minutes=90 - m)) for m in range(5)])
    aws, _ = live({"logs": early + burst})
    captured = run(aws, ["/app/burst"], max_log_events=100)
    kept = [r["timestamp"] for r in captured.bundle.records("logs")]
    assert kept == [burst_start + 2 * n for n in range(350, 450)]


def test_unknown_resources_are_gaps_not_failures() -> None:
    aws, _ = live({})
    captured = run(aws, ["i-0123456789abcdef0", "no-such-thing"])
    targets = {(g.target, g.code) for g in captured.report.gaps}
    assert ("i-0123456789abcdef0", "NotFound") in targets
    assert ("no-such-thing", "NotFound") in targets
    assert captured.bundle.manifest.trigger.alarm_event is None


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("i-0123456789abcdef0", ("instance", "i-0123456789abcdef0")),
        ("sg-0a1b2c3d", ("security_group", "sg-0a1b2c3d")),
        ("arn:aws:rds:us-east-1:123456789012:db:orders-db", ("rds_instance", "orders-db")),
        ("arn:aws:rds:us-east-1:123456789012:cluster:orders", ("rds_cluster", "orders")),
        ("arn:aws:lambda:us-east-1:123456789012:function:checkout:3", ("lambda", "checkout")),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/carts", ("dynamodb", "carts")),
        ("app/web-alb/50dc6c495c0c9188", ("load_balancer_name", "app/web-alb/50dc6c495c0c9188")),
        ("/aws/lambda/checkout", ("log_group", "/aws/lambda/checkout")),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/app/x:*", ("log_group", "/app/x")),
        (
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1a2b:autoScalingGroupName/web-asg",
            ("asg", "web-asg"),
        ),
        ("web-asg", ("name", "web-asg")),
    ],
)
def test_references_are_classified(ref: str, expected: tuple[str, str]) -> None:
    assert classify(ref) == expected


def test_bad_windows_are_refused_before_any_read() -> None:
    aws, _ = live({})
    with pytest.raises(ValueError, match="time zone"):
        capture(aws, start=datetime(2024, 5, 1), end=NOW, now=NOW, alarm=None, resources=[], title="x")
    with pytest.raises(ValueError, match="before end"):
        capture(aws, start=NOW, end=NOW, now=NOW, alarm=None, resources=[], title="x")
    assert aws.budget.used == 0


@pytest.mark.parametrize(
    ("name", "times"),
    [
        # 1,000 events, one every 3.6 s over the hour
        ("steady", [ms(NOW - timedelta(hours=1)) + 3600 * n for n in range(1000)]),
        # a few early events, then 450 within one second
        (
            "burst",
            [ms(NOW - timedelta(minutes=50 - m)) for m in range(5)]
            + [ms(NOW - timedelta(minutes=30)) + 2 * n for n in range(450)],
        ),
        # 300 events in the same millisecond at the end: that slice cannot be split
        ("same-ms", [ms(NOW - timedelta(minutes=40)) + n for n in range(50)] + [ms(NOW) - 1] * 300),
    ],
)
def test_paged_groups_over_their_share_keep_exactly_the_newest(name: str, times: list[int]) -> None:
    aws, _ = live({"logs": events("/app/g", "s", times)})
    reader = Reader(aws, CaptureReport())
    kept = capture_group(reader, "/app/g", NOW - timedelta(hours=1), NOW, allowance=100, page_size=20)
    assert [r["timestamp"] for r in kept] == sorted(times)[-100:], name
    assert [r["message"] for r in kept][-1] == f"/app/g event {len(times) - 1}"
    assert not reader.report.gaps
    # cost follows the share, not the group's volume: a forward read of at most 5 x 100 events (26
    # pages of 20), then backward slices of about a quarter of the share each
    assert aws.budget.by_operation["logs:FilterLogEvents"] <= 40


def test_an_answer_the_capture_cannot_use_ends_that_part_only() -> None:
    start = NOW - timedelta(hours=2)
    aws, session = live({"logs": events("/app/a", "s", [ms(start + timedelta(minutes=m)) for m in range(3)])})
    script(session, "cloudwatch", "DescribeAlarms", {"MetricAlarms": [{"StateValue": "ALARM"}]})  # no name
    script(
        session,
        "cloudtrail",
        "LookupEvents",
        {"Events": [{"EventId": "e1", "CloudTrailEvent": '{"eventName": "RunInstances"}'}]},  # no eventTime
    )
    captured = run(aws, ["/app/a"])
    internal = [g for g in captured.report.gaps if g.code.startswith("internal:")]
    assert [(g.source, g.code) for g in internal] == [("alarm history", "internal:KeyError")]
    cut = next(c for c in captured.report.cuts if c.source == "cloudtrail")
    assert (cut.kept, cut.seen) == (0, 1)
    assert len(list(captured.bundle.records("logs"))) == 3  # later stages still ran


def test_trace_cap_keeps_faulty_traces_first_then_the_newest() -> None:
    rng = random.Random(5)
    segments = [s for i in range(12) for s in chain_trace(rng, i, failing=i % 4 == 0)]
    aws, _ = live({"traces": segments})
    reader = Reader(aws, CaptureReport())
    kept = capture_traces(reader, NOW - timedelta(hours=2), NOW, cap=4)
    ids = list(dict.fromkeys(s["trace_id"] for s in kept))
    faulty = [s["trace_id"] for s in segments if s["name"] == "web" and s["fault"]]
    newest_ok = [s["trace_id"] for s in segments if s["name"] == "web" and not s["fault"]][-2:]
    assert sorted(ids) == sorted(faulty[-2:] + newest_ok)  # two faulty (half the cap), two newest others
    assert [c.kept for c in reader.report.cuts] == [4]


def test_cloudtrail_cap_keeps_the_newest_writes() -> None:
    records = real_records()
    aws, _ = live({"cloudtrail": records})
    reader = Reader(aws, CaptureReport())
    kept = capture_cloudtrail(reader, NOW - timedelta(hours=6), NOW, cap=10)
    writes = [r for r in records if not r.get("readOnly")]
    assert [r["eventID"] for r in kept] == [r["eventID"] for r in writes[-10:]]
    assert [(c.source, c.kept) for c in reader.report.cuts] == [("cloudtrail", 10)]
