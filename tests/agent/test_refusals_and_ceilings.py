"""What a refusal names and what a ceiling needs: calls refused for a subnet's addresses are that
subnet's state; calls a service refuses after its resource's own policy changed are that change's;
an API's integration timeout needs answers that reached it, not only slower ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from agent.analyzers.changes import from_changes
from agent.analyzers.metrics import from_key_metrics
from agent.catalog import catalog
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tools.changes import Changes, normalise
from tools.metrics import KeyMetrics, MetricFinding
from tools.series import summarize

T0 = datetime(2026, 4, 9, 18, 30, tzinfo=UTC)
SUBNET = "subnet-00c46d1fb6dfbdb0a"


def _refused(minute: int, action: str, params: dict[str, object], message: str) -> object:
    record = {
        "eventID": f"00000000-0000-4000-8000-{minute:012d}",
        "eventTime": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "ec2.amazonaws.com",
        "eventName": action,
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::123456789012:assumed-role/prod-vpc-cni/1775757962000",
        },
        "requestParameters": params,
        "errorCode": "Client.InsufficientFreeAddressesInSubnet",
        "errorMessage": message,
    }
    return normalise(
        {
            "EventId": record["eventID"],
            "EventName": action,
            "EventTime": T0 + timedelta(minutes=minute),
            "EventSource": "ec2.amazonaws.com",
            "CloudTrailEvent": json.dumps(record),
        }
    )


def test_calls_refused_for_want_of_addresses_are_the_named_subnets_state() -> None:
    """A CNI, an Auto Scaling group or Lambda asking for addresses in a full subnet is refused, and the
    refusal names the subnet: whoever called, the subnet is what ran out (an ENI's refusal too)."""
    secondary = f"There are not enough free addresses in subnet '{SUBNET}' to satisfy the requested number of secondary addresses."
    calls = [
        _refused(i, "AssignPrivateIpAddresses", {"networkInterfaceId": "eni-022ae386fb856967b"}, secondary)
        for i in (0, 4, 9)
    ] + [
        _refused(
            6,
            "CreateNetworkInterface",
            {"subnetId": SUBNET, "groupSet": {"items": [{"groupId": "sg-0c548d61fcbc51283"}]}},
            f"insufficient free address space in subnet '{SUBNET}' to satisfy the request",
        )
    ]
    drafts = from_changes(Changes(changes=calls, read=4, dropped_as_noise=0))  # type: ignore[arg-type]
    (state,) = [d for d in drafts if d.kind == "resource_state"]
    assert (state.resource, state.signals, state.start) == (SUBNET, ["subnet_addresses_exhausted"], T0)
    assert state.facts["refused_calls"] == 4 and state.strength == 0.9
    assert "4 calls (AssignPrivateIpAddresses, CreateNetworkInterface) refused" in state.summary
    # Each call is still a failed change of its own.
    assert sum("change_failed" in d.signals for d in drafts) == 4
    # The subnet is then the limit that was reached.
    topo = Topology()
    subnet = topo.add("subnet", SUBNET)
    found = [
        ev(d.kind, d.resource or "", d.start, d.signals, d.strength)
        for d in drafts
        if d.kind == "resource_state"
    ]
    hyps = generate(
        catalog(), [*found, ev("metric_anomaly", "search-api", T0, ["error_rate_up"])], topo, ["search-api"]
    )
    assert (hyps[0].resource, hyps[0].failure_mode, hyps[0].category) == (
        subnet,
        "subnet-out-of-addresses",
        "limit",
    )


def _api_latency(peak_ms: float) -> MetricFinding:
    stamps = [T0 - timedelta(minutes=60 - i) for i in range(60)] + [
        T0 + timedelta(minutes=i) for i in range(15)
    ]
    values = [400.0 + (i % 5) * 10 for i in range(60)] + [peak_ms] * 15
    return MetricFinding(
        resource="reviews-api",
        kind="api_gateway",
        namespace="AWS/ApiGateway",
        metric="IntegrationLatency",
        dimensions={"ApiName": "reviews-api"},
        stat="p99",
        stats=summarize(stamps, values, T0),
    )


def test_an_integration_is_timed_out_only_when_its_answers_reach_the_timeout() -> None:
    """API Gateway ends a request after 29 s (REST) or 30 s (HTTP APIs): a p99 near that is requests cut
    off there; a p99 of 5 s is a slower backend, and reading it as the API's timeout blames the front
    door for what the function behind it does."""
    (slow,) = from_key_metrics(KeyMetrics(findings=[_api_latency(5_600.0)], scanned=1))
    (cut_off,) = from_key_metrics(KeyMetrics(findings=[_api_latency(29_000.0)], scanned=1))
    assert slow.signals == ["latency_up"]
    assert cut_off.signals == ["latency_up", "integration_timeout"]

    topo = Topology()
    api = topo.add("api_gateway", "reviews-api")

    def timeout_reading(signals: list[str]) -> object:
        evidence = [
            ev("metric_anomaly", api, T0, signals, 0.9),
            ev("metric_anomaly", api, T0, ["error_rate_up"], 0.9),
        ]
        hyps = generate(catalog(), evidence, topo, [api])
        return next(h for h in hyps if h.failure_mode == "api-gateway-integration-timeout")

    slower = timeout_reading(slow.signals)
    assert slower.confidence <= 0.5 and "no sign of a ceiling" in slower.rationale  # type: ignore[attr-defined]
    reached = timeout_reading(cut_off.signals)
    assert reached.confidence > 0.5 and "no sign of a ceiling" not in reached.rationale  # type: ignore[attr-defined]


def test_denied_calls_to_a_service_follow_a_change_of_its_resources_own_policy() -> None:
    """A bucket policy decides who may call the bucket, whoever calls it: S3's PutObject refused as
    Access Denied from the minute the policy was rewritten is that rewrite's effect, though the graph
    never linked the uploader to the bucket; an edit of the uploader's settings hours before is not."""
    topo = Topology()
    fn = topo.add("lambda", "docscan-ingest")
    queue = topo.add("sqs_queue", "docscan-uploads")
    topo.link(queue, fn, "triggers")
    bucket = "arn:aws:s3:::docs-archive-prod"
    denied = ev(
        "log_pattern",
        fn,
        None,
        ["new_error_pattern", "access_denied_logs"],
        0.85,
        example="[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
    )

    def policy_change(action: str, service: str = "s3", **facts: object) -> object:
        return ev(
            "change_event",
            bucket,
            T0 - timedelta(seconds=30),
            ["change", "change_other"],
            0.6,
            action=action,
            service=service,
            **facts,
        )

    def ranked(change: object) -> list[str]:
        evidence = [
            ev("metric_anomaly", fn, T0, ["error_rate_up"], 0.9),
            denied,
            ev("metric_anomaly", queue, T0, ["queue_backlog"], 0.9),
            change,
            ev(
                "change_event",
                fn,
                T0 - timedelta(hours=2, minutes=38),
                ["change", "change_config"],
                0.6,
                action="UpdateFunctionConfiguration20150331v2",
                service="lambda",
            ),
        ]
        return [h.resource for h in generate(catalog(), evidence, topo, [fn])]  # type: ignore[list-item]

    assert ranked(policy_change("PutBucketPolicy"))[0] == bucket
    # Another of the bucket's settings, or a policy of another service, says nothing about S3's refusals.
    assert ranked(policy_change("PutBucketTagging"))[0] == fn
    assert (
        ranked(
            policy_change("SetQueueAttributes", "sqs", params='{"attributes":{"VisibilityTimeout":"60"}}')
        )[0]
        == fn
    )


def test_only_policies_that_decide_who_may_call_are_resource_policies() -> None:
    from agent.scoring import writes_resource_policy

    def change(action: str, service: str) -> object:
        return ev("change_event", "x", T0, ["change", "change_other"], 0.6, action=action, service=service)

    callers = [
        ("PutBucketPolicy", "s3"),
        ("PutKeyPolicy", "kms"),
        ("AddPermission", "lambda"),
        ("SetRepositoryPolicy", "ecr"),
    ]
    others = [
        ("PutScalingPolicy", "autoscaling"),
        ("PutRetentionPolicy", "logs"),
        ("PutLifecyclePolicy", "ecr"),
    ]
    assert all(writes_resource_policy(change(a, s)) for a, s in callers)  # type: ignore[arg-type]
    assert not any(writes_resource_policy(change(a, s)) for a, s in [*others, ("PutRolePolicy", "iam")])  # type: ignore[arg-type]
