"""What a caller's logs say about the party it called: a server's own failure (an HTTP 5xx status in words)
is that server's, however few lines a job that runs every few minutes writes; and a function's own
configuration, like its code, is read by its next invocation, so a release that then ran healthy for
hours did not start the trouble."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.analyzers.logs import message_signals
from agent.investigate import offline
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
JOB = "rates-refresh"
GROUP = f"/aws/lambda/{JOB}"
HOST = "api.ratesfeed.example"
ONSET = 270  # minutes after T0 (04:30)


def test_a_5xx_in_words_is_the_answering_servers_failure() -> None:
    for said in (
        f"[ERROR] HTTPError: 500 Server Error: Internal Server Error for url: https://{HOST}/v2/latest",
        f"GET https://{HOST}/v2/latest answered 503 Service Unavailable (Retry-After: 60), retry 1/2",
        "Caused by ResponseError('too many 503 error responses')",
        "AxiosError: Request failed with status code 502",
        "upstream returned 504 from the carrier API",
    ):
        assert "remote_server_error" in message_signals(said), said
    for quiet in (
        # an access log's status column: which side wrote the line is unknown
        'h2 2024-05-01T04:31:00Z app/web/0a1b 203.0.113.9:443 10.0.1.5:8080 0.001 -1 -1 502 - 581 "GET /"',
        f"GET https://{HOST}/v2/latest 200 (171 ms)",
        "took 503 ms to render",
        "listening on port 5000",
        # a server's own access line: the answer it gave, with its reason phrase
        'INFO:     10.40.3.17:51234 - "POST /v1/auth/login HTTP/1.1" 500 Internal Server Error',
    ):
        assert "remote_server_error" not in message_signals(quiet), quiet


def _line(minute: float, message: str) -> dict[str, Any]:
    return {
        "log_group": GROUP,
        "log_stream": "2024/05/01/[$LATEST]5e6f7a",
        "timestamp": int((T0 + timedelta(minutes=minute)).timestamp() * 1000),
        "message": message,
    }


def _runs() -> list[dict[str, Any]]:
    """One run every ten minutes; from the onset each run's calls to the feed are answered 503."""
    out = []
    for minute in range(0, 360, 10):
        out.append(_line(minute, f"START RequestId: r{minute} Version: $LATEST"))
        out.append(
            _line(minute + 0.01, f"[INFO] r{minute} Fetching rates from https://{HOST}/v2/latest?base=EUR")
        )
        if minute < ONSET:
            out.append(_line(minute + 0.6, f"[INFO] r{minute} Stored 7 rates, published rates-updated"))
            out.append(_line(minute + 0.7, f"REPORT RequestId: r{minute} Duration: 690.12 ms"))
            continue
        out.append(
            _line(
                minute + 0.02,
                f"[WARNING] r{minute} GET https://{HOST}/v2/latest?base=EUR answered 503 Service Unavailable "
                "(Retry-After: 60), retry 1/2",
            )
        )
        out.append(
            _line(
                minute + 0.5,
                f"[ERROR] RetryError: HTTPSConnectionPool(host='{HOST}', port=443): Max retries exceeded with "
                "url: /v2/latest?base=EUR (Caused by ResponseError('too many 503 error responses'))",
            )
        )
        out.append(_line(minute + 0.51, f"REPORT RequestId: r{minute} Duration: 30412.55 ms"))
    return out


def _metrics() -> list[dict[str, Any]]:
    out = []
    for minute in range(0, 360, 10):
        failing = minute >= ONSET
        for metric, unit, value in (
            ("Invocations", "Count", 1.0),
            ("Errors", "Count", 1.0 if failing else 0.0),
            ("Duration", "Milliseconds", 30412.0 if failing else 690.0 + minute % 7),
        ):
            out.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": metric,
                    "dimensions": {"FunctionName": JOB},
                    "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "unit": unit,
                    "value": value,
                }
            )
    return out


def _release() -> list[dict[str, Any]]:
    """The function's code and then its configuration, shipped two and a half hours before the onset."""
    who = f"arn:aws:sts::{ACCOUNT}:assumed-role/github-actions-deploy/GitHubActions"
    code = trail(
        "7a1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e01",
        "2024-05-01T02:00:00Z",
        who,
        "UpdateFunctionCode20150331v2",
        {"functionName": JOB, "s3Bucket": "deploy-artifacts", "s3Key": f"{JOB}/build-512.zip"},
    )
    config = trail(
        "7a1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e02",
        "2024-05-01T02:00:02Z",
        who,
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": JOB, "timeout": 60, "environment": {}},
    )
    for record in (code, config):
        record["eventSource"] = "lambda.amazonaws.com"
    return [code, config]


def test_a_scheduled_job_answered_5xx_names_the_server_not_a_release_that_ran_healthy_for_hours() -> None:
    function = res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": JOB,
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{JOB}",
            "Runtime": "python3.12",
            "State": "Active",
            "Timeout": 60,
        },
    )
    bundle = make_bundle(
        {"resources": [function], "metrics": _metrics(), "logs": _runs(), "cloudtrail": _release()},
        start="2024-05-01T03:30:00Z",
        trigger={"question": "our shop prices have not moved since about 04:30, is the updater stuck?"},
    )
    report = offline(bundle)
    # a few lines every ten minutes, from a function whose own metrics fail: read, however few
    assert any("remote_server_error" in e.signals and e.resource == HOST for e in report.evidence), [
        (e.resource, e.signals) for e in report.evidence
    ]
    top = report.hypotheses[0]
    assert (top.resource, top.category) == (HOST, "dependency_failure"), report.summary
    release = next(h for h in report.hypotheses if h.resource == JOB)
    assert release.confidence <= 0.5 and "served traffic" in release.rationale


def _attributed(owner: str, line: str, *known: tuple[str, str]) -> list[tuple[str, str]]:
    """(resource, summary) of what `_attribute_remote_hosts` adds for one failing log pattern of `owner`;
    each host it names is linked as called by `owner` (its way out is the host's path)."""
    from agent.nodes import _attribute_remote_hosts, _Batch
    from agent.runtime import Runtime
    from agent.topology import Topology
    from evals.replay import replay_session
    from tests.agent.test_scoring import ev
    from tools.aws import AwsClients
    from tools.registry import ToolContext

    bundle = make_bundle({})
    session, _ = replay_session(bundle)
    topo = Topology()
    topo.add("lambda", owner)
    for kind, name in known:
        topo.add(kind, name)
    batch = _Batch({}, Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now)))
    batch.evidence.append(ev("log_pattern", owner, None, ["timeout_logs", "new_error_pattern"], 0.85))
    batch.evidence[0].facts["example"] = line
    _attribute_remote_hosts(batch, topo)
    added = [(str(e.resource), e.summary) for e in batch.evidence[1:]]
    assert {(owner, host, "calls") for host, _ in added} <= set(topo.edges)
    return added


def test_a_private_name_no_resource_answers_to_is_the_service_that_failed() -> None:
    line = (
        "[ERROR] ReadTimeout: HTTPSConnectionPool(host='entitlements.billing.corp.internal', port=443): "
        "Read timed out. (read timeout=3)"
    )
    ((where, said),) = _attributed("api-authorizer", line)
    assert where == "entitlements.billing.corp.internal" and "calls to entitlements.billing" in said
    # an instance's own EC2 name is that instance, not another service
    ec2 = "connect to ip-10-0-3-7.eu-west-1.compute.internal timed out"
    assert _attributed("api-authorizer", ec2) == []


def test_a_delivery_records_destination_is_the_party_it_delivers_to() -> None:
    line = (
        '{"deliveryStreamARN":"arn:aws:firehose:us-east-1:123456789012:deliverystream/web-events",'
        '"destination":"intake.eu.vendor.example","message":"The delivery timed out before a response was '
        'received and will be retried.","errorCode":"HttpEndpoint.RequestTimeout"}'
    )
    assert [r for r, _ in _attributed("web-events", line)] == ["intake.eu.vendor.example"]


def test_a_host_the_caller_resolved_to_a_private_address_is_on_the_private_network() -> None:
    from agent.nodes import _private_host

    line = (
        'I/O error on POST request for "https://ledger-core.corp.example.net:8443/v2/postings": Connect to '
        "ledger-core.corp.example.net:8443 [ledger-core.corp.example.net/10.40.21.180] failed: Connect timed out"
    )
    assert _private_host("ledger-core.corp.example.net", line)
    assert _private_host("erp.plant.internal", "timed out")
    assert not _private_host("api.vendor.example", "Connect to api.vendor.example/203.0.113.9 timed out")


def test_a_transit_gateway_route_changes_its_route_table() -> None:
    from agent.analyzers.changes import from_changes, targets
    from tools.changes import Change, Changes

    change = Change(
        event_id="5b1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e09",
        time=datetime(2024, 5, 1, 4, 52, tzinfo=UTC),
        who="AWSReservedSSO_NetworkAdmin_0a1b/d.okafor",
        principal_type="AssumedRole",
        source="ec2.amazonaws.com",
        action="CreateTransitGatewayRoute",
        resources=[],
        params='{"CreateTransitGatewayRouteRequest":{"DestinationCidrBlock":"10.141.0.0/20",'
        '"TransitGatewayAttachmentId":"tgw-attach-0087835b92558589e",'
        '"TransitGatewayRouteTableId":"tgw-rtb-0c6d07ef7b77e90d3"}}',
        created=["vpn-0ff309cad68386d07"],
    )
    assert targets(change)[0] == "tgw-rtb-0c6d07ef7b77e90d3"
    (draft,) = from_changes(Changes(changes=[change], read=1, dropped_as_noise=0))
    assert "change_config" in draft.signals and draft.resource == "tgw-rtb-0c6d07ef7b77e90d3"


def test_a_librarys_link_to_its_own_documentation_is_not_a_called_host() -> None:
    line = (
        "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at "
        "'db.cluster-internal' (10.20.48.17), port 5432 failed: FATAL: remaining connection slots are reserved "
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)"
    )
    assert _attributed("progress-api", line) == []
    # the called host is still read beside a pointer to a status page
    called = "GET https://api.vendor.example/v1 timed out; see https://status.vendor.example for details"
    assert [r for r, _ in _attributed("progress-api", called)] == ["api.vendor.example"]
