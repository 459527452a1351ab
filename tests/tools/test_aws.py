"""The client factory: writes never reach the wire, throttling is retried, the budget is enforced."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from tools.aws import AwsClients, CallBudget, RetryPolicy
from tools.errors import BudgetExhausted, ReadOnlyViolation, classify
from tools.readonly import READ_OPERATIONS, iam_policy

OK_BODY = (
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/sre</Arn>"
    "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


def error_body(code: str) -> str:
    return (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>scripted {code}</Message>"
        "</Error><RequestId>r-2</RequestId></ErrorResponse>"
    )


class ScriptedAws:
    """A local HTTP endpoint answering STS's query protocol from a script of (status, body)."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str]] = []
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(self.rfile.read(length).decode())
                status, body = outer.script.pop(0) if outer.script else (200, OK_BODY)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedAws]:
    server = ScriptedAws()
    yield server
    server.close()


def clients(url: str, **kwargs: object) -> AwsClients:
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
    )
    return AwsClients(
        session, endpoint_url=url, retry=RetryPolicy(attempts=4, initial_s=0.01, max_wait_s=0.05), **kwargs
    )  # type: ignore[arg-type]


def test_a_write_never_reaches_the_wire(scripted: ScriptedAws) -> None:
    aws = clients(scripted.url)
    with pytest.raises(ReadOnlyViolation, match="ec2:TerminateInstances"):
        aws.call("ec2", "TerminateInstances", InstanceIds=["i-0123456789abcdef0"])
    with pytest.raises(ReadOnlyViolation, match="iam:CreateUser"):
        aws.client("iam").create_user(UserName="intruder")
    assert scripted.requests == []
    assert aws.budget.used == 0


def test_throttling_is_retried_then_succeeds(scripted: ScriptedAws) -> None:
    scripted.script = [(400, error_body("Throttling")), (503, error_body("ServiceUnavailable"))]
    aws = clients(scripted.url)
    answer = aws.call("sts", "GetCallerIdentity")
    assert answer["Account"] == "123456789012"
    assert len(scripted.requests) == 3
    assert aws.budget.by_operation == {"sts:GetCallerIdentity": 3}


def test_retries_are_capped(scripted: ScriptedAws) -> None:
    scripted.script = [(400, error_body("Throttling"))] * 10
    aws = clients(scripted.url)
    with pytest.raises(ClientError, match="Throttling"):
        aws.call("sts", "GetCallerIdentity")
    assert len(scripted.requests) == 4


def test_access_denied_is_not_retried(scripted: ScriptedAws) -> None:
    scripted.script = [(403, error_body("AccessDenied"))]
    aws = clients(scripted.url)
    with pytest.raises(ClientError) as err:
        aws.call("sts", "GetCallerIdentity")
    assert len(scripted.requests) == 1
    failure = classify(err.value)
    assert failure is not None
    assert (failure.verdict, failure.code) == ("denied", "AccessDenied")


def test_budget_stops_calls_before_sending(scripted: ScriptedAws) -> None:
    aws = clients(scripted.url, budget=CallBudget(limit=2))
    aws.call("sts", "GetCallerIdentity")
    aws.call("sts", "GetCallerIdentity")
    with pytest.raises(BudgetExhausted, match="budget of 2 spent"):
        aws.call("sts", "GetCallerIdentity")
    assert len(scripted.requests) == 2
    assert aws.budget.remaining == 0


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("ThrottlingException", "retry"),
        ("UnauthorizedOperation", "denied"),
        ("InvalidInstanceID.NotFound", "no_data"),
        ("DBClusterNotFoundFault", "no_data"),
        ("ResourceNotFoundException", "no_data"),
        ("ValidationException", "error"),
    ],
)
def test_error_taxonomy(code: str, verdict: str) -> None:
    exc = ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "Op"
    )
    failure = classify(exc)
    assert failure is not None
    assert failure.verdict == verdict


READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "BatchGet", "Filter", "Download")


def test_allow_list_holds_only_real_read_operations() -> None:
    session = botocore.session.get_session()
    for service, operations in READ_OPERATIONS.items():
        model = session.get_service_model(service)
        for op in operations:
            assert op in model.operation_names, f"{service}:{op} is not an operation"
            assert op.startswith(READ_PREFIXES) or (service, op) in {
                ("logs", "StartQuery"),
                ("logs", "StopQuery"),
            }


def test_shipped_iam_policy_matches_the_allow_list() -> None:
    shipped = json.loads(
        (Path(__file__).resolve().parents[2] / "deploy" / "iam-readonly-policy.json").read_text()
    )
    assert shipped == iam_policy()
    actions = shipped["Statement"][0]["Action"]
    assert "elasticloadbalancing:DescribeTargetHealth" in actions
    assert "cloudwatch:GetMetricData" in actions
    assert not [
        a for a in actions if a.split(":")[1].startswith(("Put", "Create", "Delete", "Update", "Terminate"))
    ]
